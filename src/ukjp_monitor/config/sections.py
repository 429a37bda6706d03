"""Reading one YAML file of top-level sections into validated specs.

``Reader`` holds what both configuration files share: reading the file with
line numbers, checking its top-level keys, validating each item of a list
section with its pydantic model, noticing names used twice, and wording each
problem as ``FILE:LINE: SUBJECT: message``. ``config`` says which sections
each file has and checks what spans items.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from pydantic import TypeAdapter, ValidationError

from ukjp_monitor.config.wording import describe_errors, shown, unknown_key
from ukjp_monitor.config.yamlsource import LineDict, LineList, line_of, read_yaml
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.plan.meter import Advance, Meter, nothing, silent


class Section(NamedTuple):
    """A list section: what its items are called and which key names one.

    ``kept``: once an item is valid, only these keys (and their lines) stay
    in the raw data, for the checks across items that may still point at
    them; the rest of a 100,000-item file's raw data is let go as it goes.
    """

    noun: str
    key: str
    label: str
    fold_case: bool = False
    kept: tuple[str, ...] | None = None


@dataclass
class Items:
    """The valid items of a list section, and every name claimed in it (even
    by an item with mistakes, so that one mistake is not reported again as
    an unknown reference)."""

    specs: list[tuple[int, Any]] = field(default_factory=list)
    claimed: dict[str, int] = field(default_factory=dict)


class Reader:
    """Shared machinery: read the file, validate items, word the problems."""

    #: the top-level keys, in the order the messages list them.
    sections: ClassVar[tuple[str, ...]] = ()
    required: ClassVar[tuple[str, ...]] = ()
    lists: ClassVar[dict[str, Section]] = {}
    #: what to say about a file that is empty
    contents: ClassVar[str] = ""
    #: what to say about a file that is missing
    needed: ClassVar[str] = ""

    def __init__(self, path: Path, *, meter: Meter = silent):
        """Read ``path``, telling ``meter`` how far reading it has got."""
        self.display = str(path)
        self.found: list[tuple[int, str]] = []
        self.raw: Any = None
        if not path.is_file():
            self.found.append((0, f"{self.display}: no such file; {self.needed}"))
            return
        try:
            self.raw, flaws = read_yaml(path, self.display, meter=meter)
        except ConfigError as exc:
            self.found.extend((0, problem) for problem in exc.problems)
            return
        for flaw in flaws:
            self.problem(flaw.path, flaw.message, line=flaw.line)

    @property
    def problems(self) -> list[str]:
        """Every problem found, in the order of the lines they are on."""
        return [text for _, text in sorted(self.found, key=lambda found: found[0])]

    def problem(self, path: tuple, message: str, *, line: int | None = None) -> None:
        line = line_of(self.raw, path) if line is None else line
        subject = self.subject(path)
        about = f"{subject}: " if subject else ""
        self.found.append((line, f"{self.display}:{line}: {about}{message}"))

    def subject(self, path: tuple) -> str | None:
        """``milestone ID`` and the like for a path into one item, else None."""
        if path[:1] == ("programme",) and "programme" in self.sections:
            return "programme"
        if len(path) < 2 or path[0] not in self.lists or not isinstance(path[1], int):
            return None
        section = self.lists[path[0]]
        items = self.raw.get(path[0]) if isinstance(self.raw, LineDict) else None
        item = items[path[1]] if isinstance(items, LineList) and path[1] < len(items) else None
        name = name_of(item, section.key)
        return f"{section.noun} {name}" if name else f"{section.noun} #{path[1] + 1}"

    def check_top(self) -> bool:
        """The file is a mapping of known sections; False when it cannot be read on."""
        if self.raw is None:
            if not self.found:
                self.problem((), f"the file is empty; {self.contents}")
            return False
        if not isinstance(self.raw, LineDict):
            kind = kind_of(self.raw)
            self.problem((), f"the file must be a mapping, not {kind}; {self.contents}")
            return False
        missing = {k for k in self.required if k not in self.raw}
        for key in self.raw:
            if key not in self.sections:
                message, guess = unknown_key(key, self.sections)
                missing.discard(guess)
                self.problem((), message, line=self.raw.key_lines[key])
        for key in sorted(missing, key=self.required.index):
            self.problem((), f"{key!r} is required")
        return True

    def validate(self, model: Any, data: Any, path: tuple) -> Any:
        """Validate one item into ``model`` (anything pydantic validates); on
        failure record its problems and return None."""
        try:
            return _adapter(model).validate_python({} if data is None else data)
        except ValidationError as exc:
            self.invalid(exc, model, path)
            return None

    def invalid(self, exc: ValidationError, model: Any, path: tuple) -> None:
        """Record each of the item's problems that validation found."""
        for loc, message in describe_errors(list(exc.errors(include_url=False)), model):
            self.problem(path + loc, message)

    def read_items(
        self,
        key: str,
        model: Any,
        source: Iterable[tuple[int, dict]] | None = None,
        *,
        advance: Advance = nothing,
    ) -> Items | None:
        """Validate every item of a list section, telling ``advance`` of each;
        None when the section is unusable.

        ``source``: the items are read from elsewhere (an imported table), one
        at a time as (line, data); each joins the section's list as it comes,
        so that only the kept keys of those already read are held. Such an
        item's keys have no lines of their own, so only its name is kept.
        """
        value, section = self.list_at(key), self.lists[key]
        if value is None:
            return None
        # The core validator: TypeAdapter's own method is a Python layer over it.
        items, validate = Items(), _adapter(model).validator.validate_python
        claimed, naming, kept = items.claimed, section.key, section.kept
        for index, raw in enumerate(value if source is None else _joining(value, source)):
            advance(1)
            name = name_of(raw, naming)
            identity = name.casefold() if name and section.fold_case else name
            if owned := identity not in claimed:
                if identity:
                    claimed[identity] = index
            else:
                first = self.place(key, line_of(self.raw, (key, claimed[identity])))
                self.problem(
                    (key, index, naming), f"the {section.label} is already used on {first}"
                )
            try:
                spec = validate({} if raw is None else raw)
            except ValidationError as exc:
                self.invalid(exc, model, (key, index))
                continue
            if owned:
                items.specs.append((index, spec))
                if kept is not None:
                    value[index] = only_keys(raw, kept) if source is None else {naming: name}
        return items

    def place(self, key: str, line: int) -> str:
        """How a message about section ``key`` names another line of it."""
        return f"line {line}"

    def list_at(self, key: str) -> LineList | None:
        """The list under ``key``; None (and a problem, unless it is absent) if not a list."""
        value, wanted = self.raw.get(key), f"a list of {self.lists[key].noun}s"
        if isinstance(value, LineList):
            return value
        if value is None and key in self.raw:
            self.problem((key,), f"{key}: is empty; it needs {wanted}")
        elif key in self.raw:
            self.problem((key,), f"{key}: must be {wanted}, not {kind_of(value)}")
        return None


def _joining(items: LineList, source: Iterable[tuple[int, dict]]) -> Iterator[dict]:
    for line, item in source:
        items.append(item)
        items.item_lines.append(line)
        yield item


@cache
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def only_keys(item: LineDict, keys: tuple[str, ...]) -> LineDict:
    """The given ``keys`` of ``item``, with their lines."""
    kept = LineDict({key: item[key] for key in keys if key in item}, line=item.line)
    kept.key_lines = {key: item.key_lines[key] for key in kept}
    return kept


def name_of(item: Any, key: str) -> str | None:
    """The item's name as written, if it can stand in a one-line message."""
    name = item.get(key) if isinstance(item, dict) else None
    if not isinstance(name, str):
        return None
    name = name.strip()
    return name if name.isprintable() else None


def kind_of(value: Any) -> str:
    return "empty" if value is None else shown(value)
