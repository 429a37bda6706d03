"""Configuration: ``milestones.yaml`` and ``monitor.yaml`` into validated specs.

``load_config`` is the only entry point and the only reader of YAML. It
checks everything before anything is written and reports every mistake at
once, each as ``FILE:LINE: SUBJECT: what is wrong and what is accepted``,
where the subject (``milestone ID``, ``workstream ID``, ``recipient EMAIL``,
``programme``) is left out for file-wide settings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from pydantic import BaseModel, ValidationError

from ukjp_monitor import __version__
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.specs import (
    ConfiguredMilestone,
    MilestoneSpec,
    MonitorFile,
    ProgrammeSpec,
    RecipientSpec,
    WorkstreamSpec,
    describe_errors,
    shown,
    unknown_key,
)
from ukjp_monitor.yamlsource import LineDict, LineList, line_of, read_yaml

MILESTONES_FILE = "milestones.yaml"
MONITOR_FILE = "monitor.yaml"


@dataclass(frozen=True)
class Config:
    """The whole, valid configuration."""

    directory: Path
    programme: ProgrammeSpec
    workstreams: tuple[WorkstreamSpec, ...]
    milestones: tuple[ConfiguredMilestone, ...]
    monitor: MonitorFile

    def lead_days(self, milestone: ConfiguredMilestone) -> int:
        """The milestone's own lead time, else the monitor's default."""
        if milestone.lead_days is not None:
            return milestone.lead_days
        return self.monitor.lead_days


def load_config(directory: Path) -> Config:
    """Read and validate both files; ConfigError lists every problem found."""
    plan = _PlanReader(directory / MILESTONES_FILE)
    monitor = _MonitorReader(directory / MONITOR_FILE, plan.workstream_ids)
    problems = plan.problems + monitor.problems
    if problems:
        raise ConfigError(problems)
    return Config(
        directory=directory,
        programme=plan.programme,
        workstreams=tuple(spec for _, spec in plan.workstreams.specs),
        milestones=tuple(spec for _, spec in plan.milestones.specs),
        monitor=monitor.spec,
    )


def fingerprint(directory: Path) -> str | None:
    """SHA-256 of both files' bytes, as read by this version; None if one cannot be read.

    Equal fingerprints mean a sync would read exactly what the last one did.
    The version is part of it because a release may read the same bytes
    differently. Hashing 16 MB takes 20 ms; parsing it, seconds.
    """
    digest = hashlib.sha256(f"ukjp-monitor {__version__}\n".encode())
    for name in (MILESTONES_FILE, MONITOR_FILE):
        try:
            data = (directory / name).read_bytes()
        except OSError:
            return None
        digest.update(b"%d\n" % len(data))
        digest.update(data)
    return digest.hexdigest()


def load_monitor(directory: Path, workstream_ids: set[str]) -> MonitorFile:
    """Only ``monitor.yaml``, for commands that take the plan from the database.

    ``check`` and ``digest`` need recipients and mail settings, not the plan;
    a funder's milestones.yaml is most of their cost to parse.
    """
    monitor = _MonitorReader(directory / MONITOR_FILE, workstream_ids)
    if monitor.problems:
        raise ConfigError(monitor.problems)
    return monitor.spec


class _Section(NamedTuple):
    """A list section: what its items are called and which key names one.

    ``kept``: once an item is valid, only these keys (and their lines) stay
    in the raw data, for the checks across items that may still point at
    them; the rest of a 100,000-item file's raw data is let go as it goes.
    ``compact``: what a valid item is kept as, in place of its model.
    """

    noun: str
    key: str
    label: str
    fold_case: bool = False
    kept: tuple[str, ...] | None = None
    compact: Callable[[Any], Any] | None = None


@dataclass
class _Items:
    """The valid items of a list section, and every name claimed in it (even
    by an item with mistakes, so that one mistake is not reported again as
    an unknown reference)."""

    specs: list[tuple[int, Any]] = field(default_factory=list)
    claimed: dict[str, int] = field(default_factory=dict)


class _Reader:
    """Shared machinery: read the file, validate items, word the problems."""

    #: the top-level keys, in the order the messages list them.
    sections: ClassVar[tuple[str, ...]] = ()
    required: ClassVar[tuple[str, ...]] = ()
    lists: ClassVar[dict[str, _Section]] = {}
    #: what to say about a file that is empty
    contents: ClassVar[str] = ""

    def __init__(self, path: Path):
        self.display = str(path)
        self.found: list[tuple[int, str]] = []
        self.raw: Any = None
        if not path.is_file():
            needs = f"the configuration folder needs {MILESTONES_FILE} and {MONITOR_FILE}"
            self.found.append((0, f"{self.display}: no such file; {needs}"))
            return
        try:
            self.raw, flaws = read_yaml(path, self.display)
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
        name = _name_of(item, section.key)
        return f"{section.noun} {name}" if name else f"{section.noun} #{path[1] + 1}"

    def check_top(self) -> bool:
        """The file is a mapping of known sections; False when it cannot be read on."""
        if self.raw is None:
            if not self.found:
                self.problem((), f"the file is empty; {self.contents}")
            return False
        if not isinstance(self.raw, LineDict):
            self.problem((), f"the file must be a mapping, not {_kind(self.raw)}; {self.contents}")
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

    def validate(self, model: type[BaseModel], data: Any, path: tuple) -> Any:
        """Validate one item; on failure record its problems and return None."""
        try:
            return model.model_validate({} if data is None else data)
        except ValidationError as exc:
            for loc, message in describe_errors(exc.errors(include_url=False), model):
                self.problem(path + loc, message)
            return None

    def read_items(self, key: str, model: type[BaseModel]) -> _Items | None:
        """Validate every item of a list section; None when the section is unusable."""
        value, section = self.list_at(key), self.lists[key]
        if value is None:
            return None
        items = _Items()
        for index, raw in enumerate(value):
            name = _name_of(raw, section.key)
            identity = name.casefold() if name and section.fold_case else name
            if identity in items.claimed:
                first = line_of(self.raw, (key, items.claimed[identity]))
                self.problem((key, index), f"the {section.label} is already used on line {first}")
            elif identity:
                items.claimed[identity] = index
            spec = self.validate(model, raw, (key, index))
            if spec is not None and items.claimed.get(identity, index) == index:
                items.specs.append((index, section.compact(spec) if section.compact else spec))
                if section.kept is not None:
                    value[index] = _only(raw, section.kept)
        return items

    def list_at(self, key: str) -> LineList | None:
        """The list under ``key``; None (and a problem, unless it is absent) if not a list."""
        value, wanted = self.raw.get(key), f"a list of {self.lists[key].noun}s"
        if isinstance(value, LineList):
            return value
        if value is None and key in self.raw:
            self.problem((key,), f"{key}: is empty; it needs {wanted}")
        elif key in self.raw:
            self.problem((key,), f"{key}: must be {wanted}, not {_kind(value)}")
        return None


class _PlanReader(_Reader):
    sections = ("programme", "workstreams", "milestones")
    required = sections
    lists: ClassVar = {
        "workstreams": _Section("workstream", "id", "id"),
        "milestones": _Section(
            "milestone",
            "id",
            "id",
            kept=("id", "workstream", "depends_on"),
            compact=MilestoneSpec.configured,
        ),
    }
    contents = "it needs programme, workstreams and milestones"

    def __init__(self, path: Path):
        super().__init__(path)
        self.programme = None
        self.workstreams, self.milestones = _Items(), _Items()
        #: None when the workstreams cannot be known, so references are not checked.
        self.workstream_ids: set[str] | None = None
        if not self.check_top():
            return
        self.programme = self.validate(ProgrammeSpec, self.raw.get("programme"), ("programme",))
        self._read_workstreams()
        self.milestones = self.read_items("milestones", MilestoneSpec) or _Items()
        self._check_references()

    def _read_workstreams(self) -> None:
        workstreams = self.read_items("workstreams", WorkstreamSpec)
        if workstreams is None:
            return
        if not self.raw["workstreams"]:
            self.problem(
                ("workstreams",), "workstreams: the list is empty; it needs at least one workstream"
            )
        if workstreams.claimed:
            self.workstreams, self.workstream_ids = workstreams, set(workstreams.claimed)

    def _check_references(self) -> None:
        known = set(self.milestones.claimed)
        for index, m in self.milestones.specs:
            here = ("milestones", index)
            if self.workstream_ids is not None and m.workstream not in self.workstream_ids:
                names = ", ".join(sorted(self.workstream_ids))
                self.problem(
                    (*here, "workstream"), f"unknown workstream {m.workstream!r}; known: {names}"
                )
            for j, dep in enumerate(m.depends_on):
                message = _dependency_problem(m, j, dep, known)
                if message:
                    self.problem((*here, "depends_on", j), message)
        specs = {m.id: (i, m) for i, m in self.milestones.specs}
        graph = {
            mid: [d for d in m.depends_on if d in specs and d != mid]
            for mid, (_, m) in specs.items()
        }
        for cycle in find_cycles(graph):
            self.problem(
                ("milestones", specs[cycle[0]][0], "depends_on"),
                "dependencies form a cycle, "
                + " → ".join([*cycle, cycle[0]])
                + "; remove one of them",
            )


def _dependency_problem(m: ConfiguredMilestone, j: int, dep: str, known: set[str]) -> str | None:
    if dep == m.id:
        return f"depends on itself; remove {dep!r} from depends_on"
    if dep in m.depends_on[:j]:
        return f"lists {dep!r} twice in depends_on; give each dependency once"
    if dep not in known:
        return f"depends on {dep!r}, which is not a milestone in this file"
    return None


class _MonitorReader(_Reader):
    settings = ("lead_days", "schedules", "mail")
    sections = (*settings, "recipients")
    lists: ClassVar = {"recipients": _Section("recipient", "email", "email address", True)}
    contents = "it lists the recipients, and may set lead_days, schedules and mail"

    def __init__(self, path: Path, workstream_ids: set[str] | None):
        super().__init__(path)
        self.spec = None
        if not self.check_top():
            return
        settings = {k: v for k, v in self.raw.items() if k in self.settings}
        spec = self.validate(MonitorFile, settings, ())
        recipients = self.read_items("recipients", RecipientSpec) or _Items()
        for index, recipient in recipients.specs:
            self._check_followed(index, recipient, workstream_ids)
        if spec is not None:
            followers = [r for _, r in recipients.specs]
            self.spec = spec.model_copy(update={"recipients": followers})

    def _check_followed(self, index: int, spec: RecipientSpec, known: set[str] | None) -> None:
        if spec.workstreams == "all" or known is None:
            return
        for j, w in enumerate(spec.workstreams):
            if w not in known:
                names = ", ".join(sorted(known))
                self.problem(
                    ("recipients", index, "workstreams", j),
                    f"follows unknown workstream {w!r}; use 'all' or some of: {names}",
                )


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Every dependency cycle once, each as the list of ids along it."""
    cycles, state = [], {}
    for root in graph:
        if state.get(root):
            continue
        stack, path = [(root, iter(graph[root]))], [root]
        state[root] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(child) == "open":
                cycles.append(path[path.index(child) :])
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(graph[child])))
                path.append(child)
    return cycles


def _only(item: LineDict, keys: tuple[str, ...]) -> LineDict:
    kept = LineDict(line=item.line)
    for key in keys:
        if key in item:
            kept[key], kept.key_lines[key] = item[key], item.key_lines[key]
    return kept


def _name_of(item: Any, key: str) -> str | None:
    """The item's name as written, if it can stand in a one-line message."""
    name = item.get(key) if isinstance(item, dict) else None
    if not isinstance(name, str) or not name.strip().isprintable():
        return None
    return name.strip()


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else shown(value)
