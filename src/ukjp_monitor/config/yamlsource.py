"""Read a YAML file into plain data that remembers the line of every item.

Only the configuration loader uses this. It reads the parser's events
(PyYAML's C parser where available: a funder's portfolio runs to a million
lines) and builds the data itself (``yamlbuild``), so that every mapping and
list knows the line of each key and item, for error messages of the form
``FILE:LINE: ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ukjp_monitor.config.yamlbuild import TOO_DEEP, Builder, Flaw, LineDict, LineList, Refused
from ukjp_monitor.config.yamlsyntax import syntax_problem
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.plan.meter import Meter, silent

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def read_yaml(path: Path, display: str, *, meter: Meter = silent) -> tuple[Any, list[Flaw]]:
    """Load ``path`` into line-aware data plus the flaws found on the way,
    telling ``meter`` how many of the file's lines have been read.

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
    lines = text.count("\n") + (not text.endswith("\n"))  # as an editor numbers them
    try:
        with meter(f"reading {path.name}", lines) as advance:
            builder = Builder(loader, advance)
            document = builder.document()
            # YAML also breaks lines at NEL, U+2028 and U+2029, which the
            # count above leaves out: the bar may end past it, never before.
            advance(max(0, lines - builder.line))
        return document, builder.flaws
    except Refused as exc:
        raise ConfigError([f"{display}:{exc.line}: {exc.message}"]) from None
    except yaml.MarkedYAMLError as exc:
        if exc.problem == "exceeded maximum nesting depth" and exc.problem_mark:  # libyaml's
            raise ConfigError([f"{display}:{exc.problem_mark.line + 1}: {TOO_DEEP}"]) from None
        raise ConfigError([f"{display}:{syntax_problem(exc, text, _Loader)}"]) from None
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


def imported_file(data: bytes, section: str) -> str | None:
    """The ``file`` that a top-level ``section: {file: ...}`` names, else None.

    Reads the parser's events only until that section's value starts, so a
    file that lists its milestones costs next to nothing here; anything
    unreadable is None (the loader will say what is wrong).
    """
    loader: Any = _Loader(data)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.DocumentStartEvent):
            loader.get_event()
        if not loader.check_event(yaml.MappingStartEvent):
            return None
        loader.get_event()
        while loader.check_event(yaml.ScalarEvent):
            if loader.get_event().value == section:
                return _file_in(loader)
            _skip_node(loader)
        return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _skip_node(loader: Any) -> None:
    depth = 0
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if depth == 0:
            return


def _file_in(loader: Any) -> str | None:
    """The text under ``file`` in the mapping that starts at the next event."""
    if not isinstance(loader.get_event(), yaml.MappingStartEvent):
        return None
    while isinstance(event := loader.get_event(), yaml.ScalarEvent):
        value = loader.get_event()
        if not isinstance(value, yaml.ScalarEvent):
            return None
        if event.value == "file":
            return value.value
    return None
