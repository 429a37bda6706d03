"""Line-aware data built straight from YAML parser events.

* every mapping and list knows the line of each key and item;
* a key written twice in one mapping is a flaw, not a silent overwrite (the
  first stays, so the rest of the file can still be checked);
* dates stay the text they were written as: ``2026-02-30`` must reach the
  period parser and be reported there, not crash the YAML loader;
* an alias is built once however often it is used, and one that contains
  itself is a flaw instead of endless recursion;
* lists and mappings nested more than ``MAX_DEPTH`` levels deep, and aliases
  that would make the file stand for ``ALIAS_ITEMS`` more items than it
  writes out (a "billion laughs"), are refused at once, so that nothing
  that reads the data later can recurse or expand without bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ukjp_monitor.plan.meter import Advance, nothing

#: How deep lists and mappings may nest; the configuration needs four levels.
MAX_DEPTH = 100
#: How many items aliases may add to a file beyond those written out. An
#: alias is a reference, so it is counted as all it stands for: nine nested
#: anchors of nine items each stand for 387,420,489 in 6 KB of text.
ALIAS_ITEMS = 1_000_000

TOO_DEEP = f"lists and mappings are nested too deeply here (more than {MAX_DEPTH} levels)"

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


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


class Refused(Exception):
    """Data too deep or too large to read on, at a 1-based line."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


@dataclass(frozen=True)
class Flaw:
    """A mistake found while building: ``path`` leads to the mapping it is in."""

    path: tuple
    line: int
    message: str


@dataclass
class _Anchor:
    """What an anchor names: the built value, its line, its text if a scalar,
    how many items it stands for and how many levels of nesting it holds."""

    value: Any
    line: int
    text: str | None = None
    open: bool = False
    items: int = 1
    height: int = 0


class Builder:
    """Builds LineDict, LineList and scalars straight from the parser's events.

    PyYAML's composer would first build a node tree with two position marks
    per node: for a 100,000-milestone file that took ~10 s and ~500 MB, while
    the events alone take ~1 s and are dropped as soon as they are read. The
    checks the composer makes (one document, anchors defined once and before
    use) are made here, with messages that say what to change.
    """

    def __init__(self, loader: Any, advance: Advance = nothing):
        """``advance(n)`` is told each time the items of lists built reach n lines further."""
        self.next_event = loader.get_event
        self.check_event = loader.check_event
        self.resolve = loader.resolve
        self.flaws: list[Flaw] = []
        self.anchors: dict[str, _Anchor] = {}
        self.texts: dict[str, str] = {}
        #: lists and mappings open around the next node, and the most open at
        #: once since the innermost anchor being built began
        self.depth = self.deepest = 0
        #: nodes read from the file, and nodes the data stands for (aliases
        #: counted as all they stand for)
        self.written = self.items = 0
        #: the line of the last list item built, which ``advance`` has been told of
        self.line = 0
        self.advance = advance

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
        self.written += 1
        if isinstance(event, yaml.AliasEvent):
            return self._alias(event, path)
        if event.anchor is None:
            return self._value(event, path)
        anchor = self._anchor(event)
        items, deepest = self.items, self.deepest
        self.deepest = self.depth
        anchor.value, line, anchor.text = self._value(event, path)
        anchor.open = False
        anchor.items, anchor.height = self.items - items, self.deepest - self.depth
        self.deepest = max(deepest, self.deepest)
        return anchor.value, line, anchor.text

    def _anchor(self, event: Any) -> _Anchor:
        if event.anchor in self.anchors:
            first = self.anchors[event.anchor].line
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the anchor &{event.anchor} is already defined on line {first}; "
                "give each anchor a name of its own",
                event.start_mark,
            )
        anchor = self.anchors[event.anchor] = _Anchor(None, event.start_mark.line + 1, open=True)
        return anchor

    def _value(self, event: Any, path: tuple) -> tuple[Any, int, str | None]:
        line = event.start_mark.line + 1
        self.items += 1
        if isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
            # A portfolio repeats its keys and many values (workstream ids,
            # owners) 100,000 times: keep one copy of each short text.
            text = event.value
            if len(text) <= 40:
                text = self.texts.setdefault(text, text)
            return _scalar(tag, text), line, text
        self._reach(1, line, TOO_DEEP)
        self.depth += 1
        value: LineDict | LineList
        if isinstance(event, yaml.MappingStartEvent):
            value = self._mapping(line, path)
        else:
            value = self._sequence(line, path)
        self.depth -= 1
        return value, line, None

    def _reach(self, levels: int, line: int, problem: str) -> None:
        """Note nesting ``levels`` below the current depth, unless past MAX_DEPTH."""
        if self.depth + levels > MAX_DEPTH:
            raise Refused(line, problem)
        self.deepest = max(self.deepest, self.depth + levels)

    def _alias(self, event: Any, path: tuple) -> tuple[Any, int, str | None]:
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
        line = event.start_mark.line + 1
        self._reach(
            anchor.height,
            line,
            f"the alias *{event.anchor} nests lists and mappings too deeply here "
            f"(more than {MAX_DEPTH} levels)",
        )
        self.items += anchor.items
        if self.items - self.written > ALIAS_ITEMS:
            raise Refused(
                line,
                f"the alias *{event.anchor} stands for {anchor.items:,} items, and aliases "
                f"may add at most {ALIAS_ITEMS:,} to a file; "
                "write the values out, or use fewer aliases of lists and mappings",
            )
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
            if item_line > self.line:
                # A list item is the unit of progress: a funder's file is one
                # list of 100,000 milestones, each a few lines long.
                self.advance(item_line - self.line)
                self.line = item_line
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
