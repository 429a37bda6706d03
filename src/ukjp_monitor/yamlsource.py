"""Read a YAML file into plain data that remembers the line of every item.

Only the configuration loader uses this. It composes the document with
PyYAML's C parser where available (a funder's portfolio runs to a million
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

    line: int = 1
    key_lines: dict[str, int]


class LineList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int = 1
    item_lines: list[int]


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
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([f"{display}:{_syntax_problem(exc, text)}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{display}: not valid YAML: {exc}"]) from None
    if node is None:
        return None, []
    builder = _Builder()
    return builder.build(node, ()), builder.flaws


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


class _Builder:
    """Turns composed nodes into LineDict, LineList and scalars."""

    def __init__(self):
        self.flaws: list[Flaw] = []
        self.built: dict[int, Any] = {}
        self.open: set[int] = set()

    def build(self, node: yaml.Node, path: tuple) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        key = id(node)
        if key in self.open:
            self.flaws.append(Flaw(path, _line(node), "an alias here refers to itself"))
            return None
        if key not in self.built:
            self.open.add(key)
            if isinstance(node, yaml.MappingNode):
                self.built[key] = self._mapping(node, path)
            else:
                self.built[key] = self._sequence(node, path)
            self.open.discard(key)
        return self.built[key]

    def _mapping(self, node: yaml.MappingNode, path: tuple) -> LineDict:
        result = LineDict()
        result.line, result.key_lines = _line(node), {}
        for key_node, value_node in node.value:
            # A key is the text as written: ``yes`` or ``2026`` as a key is a
            # name, not a boolean or a number.
            line = _line(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.flaws.append(
                    Flaw(path, line, "a key must be plain text, not a list or mapping")
                )
                continue
            key = key_node.value
            if key in result:
                first = result.key_lines[key]
                message = f"key {key!r} is repeated (first on line {first}); give it only once"
                self.flaws.append(Flaw(path, line, message))
            else:
                result[key] = self.build(value_node, (*path, key))
                result.key_lines[key] = line
        return result

    def _sequence(self, node: yaml.SequenceNode, path: tuple) -> LineList:
        items = LineList(self.build(item, (*path, i)) for i, item in enumerate(node.value))
        items.line = _line(node)
        items.item_lines = [_line(item) for item in node.value]
        return items


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.ScalarNode) -> Any:
    # Quoted scalars keep the str tag; only plain ones are resolved.
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        return node.value.lower() in {"yes", "true", "on", "y"}
    if node.tag == _INT:
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return node.value
    if node.tag == _FLOAT:
        try:
            return float(node.value.replace("_", ""))
        except ValueError:
            return node.value
    return node.value
