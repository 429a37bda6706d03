"""Filling a plain-text paragraph to a width in columns, Japanese included.

Japanese has no spaces between words and each of its characters takes two
columns, so ``textwrap`` alone would leave a Japanese line unbroken and twice
too wide. Text with wide characters is broken between any two characters,
except before closing punctuation (、。」…) and after opening punctuation
(「（…), the basic line-breaking rule of Japanese typesetting (kinsoku);
runs of Latin letters and digits stay whole.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

#: May not start a line.
_NO_START = set(
    "、。，．・：；？！ー―…‥）」』】〕〉》］｝〙〗’”)]}%,.:;!?ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
#: May not end a line.
_NO_END = set("（「『【〔〈《［｛〘〖‘“([{")
#: What stays together: a run of characters that are not wide, or one wide one.
_PIECES = re.compile(
    r"[^\s\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|\s+|."
)


_WIDE = (
    r"\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
_BETWEEN_WIDE = re.compile(rf"(?<=[{_WIDE}]) (?=[{_WIDE}])")


def width(text: str) -> int:
    """How many columns ``text`` takes on a terminal: wide characters two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width_: int = 72, indent: str = "", first: str | None = None) -> str:
    """Fill ``text`` to ``width_`` columns; ``first`` prefixes line one, ``indent`` the rest."""
    text = " ".join(str(text).split())
    lead = indent if first is None else first
    if text.isascii() or width(text) == len(text):
        return textwrap.fill(
            text,
            width=width_,
            initial_indent=lead,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    # Japanese sets no space between sentences or words: one left between
    # two wide characters (by joining phrases) goes.
    text = _BETWEEN_WIDE.sub("", text)
    lines, line = [], lead
    for piece in _PIECES.findall(text):
        if piece.isspace():
            piece = " "
        fits = width(line) + width(piece.rstrip()) <= width_
        if fits or line.strip() == "" or piece[0] in _NO_START:
            line += piece
            continue
        carried = ""
        if line and line[-1] in _NO_END:  # an opening bracket goes down with what it opens
            line, carried = line[:-1], line[-1]
        lines.append(line.rstrip())
        line = indent + carried + piece.lstrip()
    lines.append(line.rstrip())
    return "\n".join(lines)
