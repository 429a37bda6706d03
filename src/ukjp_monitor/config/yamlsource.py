"""Read a YAML file into plain data that remembers the line of every item.

Only the configuration loader uses this. It reads the parser's events
(PyYAML's C parser where available: a funder's portfolio runs to a million
lines) and builds the data itself, so that:

* every mapping and list knows the line of each key and item, for error
  messages of the form ``FILE:LINE: ...``;
* a key written twice in one mapping is a flaw, not a silent overwrite (the
  first stays, so the rest of the file can still be checked);
* dates stay the text they were written as: ``2026-02-30`` must reach the
  period parser and be reported there, not crash the YAML loader;
* an alias is built once however often it is used, and one that contains
  itself is a flaw instead of endless recursion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ukjp_monitor.errors import ConfigError

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"

# Something left open is best reported where it was opened, not where the
# parser gave up (often the next line, or the end of the file).
_UNCLOSED = {
    "while scanning a quoted scalar": "the quoted text that starts here is never closed",
    "while parsing a flow sequence": "the [ list that starts here is not closed",
    "while parsing a flow mapping": "the { mapping that starts here is not closed",
}


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, *args: Any, line: int = 1) -> None:
        super().__init__(*args)
        self.line = line
        self.key_lines: dict[str, int] = {}


class LineList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, *args: Any, line: int = 1) -> None:
        super().__init__(*args)
        self.line = line
        self.item_lines: list[int] = []


@dataclass(frozen=True)
class Flaw:
    """A mistake found while building: ``path`` leads to the mapping it is in."""

    path: tuple
    line: int
    message: str


def read_yaml(path: Path, display: str) -> tuple[Any, list[Flaw]]:
    """Load ``path`` into line-aware data plus the flaws found on the way.

    Unreadable files and syntax errors raise ConfigError; ``display`` is how
    the file is named in its one message.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([f"{display}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{display}: cannot be read ({exc})"]) from None
    loader = _Loader(text)
    builder = _Builder(loader)
    try:
        return builder.document(), builder.flaws
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([f"{display}:{_syntax_problem(exc, text)}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{display}: not valid YAML: {exc}"]) from None
    finally:
        loader.dispose()


def line_of(data: Any, path: tuple) -> int:
    """The line of the deepest item of ``path`` that exists in ``data``."""
    line = getattr(data, "line", 1)
    for step in path:
        if isinstance(data, LineDict) and step in data:
            line = data.key_lines.get(step, line)
        elif isinstance(data, LineList) and isinstance(step, int) and 0 <= step < len(data):
            line = data.item_lines[step]
        else:
            break
        data = data[step]
    return line


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """``LINE: not valid YAML: ...`` for a syntax error."""
    problem, mark = exc.problem or "a syntax error", exc.problem_mark or exc.context_mark
    if mark is None:
        return f"1: not valid YAML: {problem}"
    opened = _UNCLOSED.get(exc.context or "")
    if opened and exc.context_mark is not None:
        found = f"line {mark.line + 1}: {problem}"
        return f"{exc.context_mark.line + 1}: not valid YAML: {opened} ({found})"
    start = _runaway_quote(text, mark)
    if start is not None:
        return (
            f"{start}: not valid YAML: the quoted text that starts here runs on to line "
            f"{mark.line + 1}; is its closing quote missing? ({problem})"
        )
    return f"{mark.line + 1}: not valid YAML: {problem}"


def _runaway_quote(text: str, mark: yaml.Mark) -> int | None:
    """The first line of a quoted text that spans lines and closes on the line the
    parser gave up on: a closing quote forgotten, and found only in later text."""
    last = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in {'"', "'"}:
                last = token
    except yaml.YAMLError:
        pass
    if last is None or last.start_mark.line == last.end_mark.line:
        return None
    return last.start_mark.line + 1 if last.end_mark.line == mark.line else None


@dataclass
class _Anchor:
    """What an anchor names: the built value, its line, and its text if a scalar."""

    value: Any
    line: int
    text: str | None = None
    open: bool = False


class _Builder:
    """Builds LineDict, LineList and scalars straight from the parser's events.

    PyYAML's composer would first build a node tree with two position marks
    per node: for a 100,000-milestone file that took ~10 s and ~500 MB, while
    the events alone take ~1 s and are dropped as soon as they are read. The
    checks the composer makes (one document, anchors defined once and before
    use) are made here, with messages that say what to change.
    """

    def __init__(self, loader: Any):
        self.next_event = loader.get_event
        self.check_event = loader.check_event
        self.resolve = loader.resolve
        self.flaws: list[Flaw] = []
        self.anchors: dict[str, _Anchor] = {}
        self.texts: dict[str, str] = {}

    def document(self) -> Any:
        self.next_event()  # stream start
        if self.check_event(yaml.StreamEndEvent):
            return None
        self.next_event()  # document start
        value, _, _ = self.node(())
        self.next_event()  # document end
        if not self.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "a second document starts here; the file must hold only one",
                self.next_event().start_mark,
            )
        return value

    def node(self, path: tuple) -> tuple[Any, int, str | None]:
        """The next node as (value, line, text as written if it is a scalar)."""
        event = self.next_event()
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event, path)
        line = event.start_mark.line + 1
        anchor = None
        if event.anchor is not None:
            if event.anchor in self.anchors:
                first = self.anchors[event.anchor].line
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the anchor &{event.anchor} is already defined on line {first}; "
                    "give each anchor a name of its own",
                    event.start_mark,
                )
            anchor = self.anchors[event.anchor] = _Anchor(None, line)
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
            # A portfolio repeats its keys and many values (workstream ids,
            # owners) 100,000 times: keep one copy of each short text.
            text = event.value
            if len(text) <= 40:
                text = self.texts.setdefault(text, text)
            value = _scalar(tag, text)
        else:
            if anchor is not None:
                anchor.open = True
            if isinstance(event, yaml.MappingStartEvent):
                value, text = self._mapping(line, path), None
            else:
                value, text = self._sequence(line, path), None
        if anchor is not None:
            anchor.value, anchor.text, anchor.open = value, text, False
        return value, line, text

    def _alias(self, event: yaml.AliasEvent, path: tuple) -> tuple[Any, int, str | None]:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the alias *{event.anchor} refers to no anchor &{event.anchor} above it",
                event.start_mark,
            )
        if anchor.open:
            self.flaws.append(Flaw(path, anchor.line, "an alias here refers to itself"))
            return None, anchor.line, None
        return anchor.value, anchor.line, anchor.text

    def _skip(self, path: tuple) -> None:
        """Read past a node that is not kept, and past any flaws inside it."""
        found = len(self.flaws)
        self.node(path)
        del self.flaws[found:]

    def _mapping(self, line: int, path: tuple) -> LineDict:
        result = LineDict(line=line)
        while not self.check_event(yaml.MappingEndEvent):
            # A key is the text as written: ``yes`` or ``2026`` as a key is a
            # name, not a boolean or a number.
            found = len(self.flaws)
            _, key_line, key = self.node(path)
            if key is None:
                del self.flaws[found:]
                self.flaws.append(
                    Flaw(path, key_line, "a key must be plain text, not a list or mapping")
                )
                self._skip(path)
            elif key in result:
                first = result.key_lines[key]
                message = f"key {key!r} is repeated (first on line {first}); give it only once"
                self.flaws.append(Flaw(path, key_line, message))
                self._skip(path)
            else:
                result[key], _, _ = self.node((*path, key))
                result.key_lines[key] = key_line
        self.next_event()
        return result

    def _sequence(self, line: int, path: tuple) -> LineList:
        items = LineList(line=line)
        lines = items.item_lines
        while not self.check_event(yaml.SequenceEndEvent):
            value, item_line, _ = self.node((*path, len(items)))
            items.append(value)
            lines.append(item_line)
        self.next_event()
        return items


def _scalar(tag: str, value: str) -> Any:
    # Quoted scalars keep the str tag; only plain ones are resolved.
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() in {"yes", "true", "on", "y"}
    if tag == _INT:
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == _FLOAT:
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value
