"""Text in terminal cells: how wide a string shows, and wrapping it to a width.

East Asian wide and fullwidth characters (Japanese titles) take two cells and
combining marks none — what ``wcwidth`` would say for them, worked out from
the standard library's ``unicodedata``. Wrapping never drops a character: a
word wider than the column is broken after a ``-``, ``/``, ``.`` or ``,`` where
one fits, else where the column ends.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_BREAK_AFTER = "-/.,"


@lru_cache(maxsize=8192)
def _char_cells(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    if text.isascii():
        return len(text)
    return sum(_char_cells(c) for c in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces to fill ``width`` cells."""
    return text + " " * (width - cells(text))


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken between words
    where it can be; ``[""]`` for no text. Runs of spaces become one."""
    if cells(text) <= width and "\n" not in text:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if cells(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        pieces = _break(word, width)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    lines.append(line)
    return lines


def _break(word: str, width: int) -> list[str]:
    """A word wider than ``width`` in pieces that fit."""
    pieces = []
    while cells(word) > width:
        cut, used = 0, 0
        for i, char in enumerate(word):
            used += _char_cells(char)
            if used > width:
                break
            cut = i + 1
        soft = max((i + 1 for i in range(cut) if word[i] in _BREAK_AFTER), default=0)
        # A soft break only when it keeps at least half the line.
        cut = soft if soft * 2 >= cut else max(cut, 1)
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]
