"""Read a YAML file into plain data that remembers the line of every item.

Only the configuration loader uses this. It composes the document with
PyYAML's C parser where available (a funder's portfolio runs to a million
lines) and builds the data itself, so that:

* every mapping and list knows the line of each key and item, for error
  messages of the form ``FILE:LINE: ...``;
* a key written twice in one mapping is an error, not a silent overwrite;
* dates stay the text they were written as: ``2026-02-30`` must reach the
  period parser and be reported there, not crash the YAML loader.
"""

from __future__ import annotations

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


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[str, int]


class LineList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int = 1
    item_lines: list[int]


def read_yaml(path: Path, display: str) -> Any:
    """Load ``path``; syntax errors and repeated keys raise ConfigError.

    ``display`` is how the file is named in messages (usually the path as
    given by the user).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{display}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{display}: cannot be read ({exc})"]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([f"{display}:{line}: not valid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{display}: not valid YAML: {exc}"]) from None
    if node is None:
        return None
    problems: list[str] = []
    data = _build(node, display, problems)
    if problems:
        raise ConfigError(problems)
    return data


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


def _build(node: yaml.Node, display: str, problems: list[str]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = LineDict()
        result.line, result.key_lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = _build(key_node, display, problems)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int):
                problems.append(f"{display}:{line}: a key must be plain text, not {key!r}")
                continue
            if key in result:
                first = result.key_lines[key]
                problems.append(f"{display}:{line}: key {key!r} repeats the one on line {first}")
                continue
            result[key] = _build(value_node, display, problems)
            result.key_lines[key] = line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LineList(_build(item, display, problems) for item in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    return _scalar(node)


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
