"""Filling a plain-text paragraph to a width in columns, Japanese included.

Japanese has no spaces between words and each of its characters takes two
columns, so ``textwrap`` alone would leave a Japanese line unbroken and twice
too wide. Text with wide characters is broken preferably after a comma, a full stop
or a closing bracket, so that words stay whole, and otherwise between any
two characters, but never before closing punctuation (、。」…) or after
opening punctuation (「（…), the basic line-breaking rule of Japanese
typesetting (kinsoku); runs of Latin letters and digits stay whole.
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


#: Where a Japanese line breaks best: after a comma or a full stop.
_STOPS = set("、。，． ")
#: After a closing bracket too, unless a particle follows (」は stays together).
_CLOSING = set("）」』】")
#: How full a line must be for the break to go back to such a place.
_FULL_ENOUGH = 0.75


def _hiragana(c: str) -> bool:
    return "\u3041" <= c <= "\u309f"


def _katakana(c: str) -> bool:
    return "\u30a0" <= c <= "\u30ff"


def _word_start(c: str) -> bool:
    """A kanji or katakana: after hiragana (a particle, an ending), mostly a new word."""
    return "\u4e00" <= c <= "\u9fff" or _katakana(c)


def _good_break(before: str, after: str) -> bool:
    """A place between phrases: after a comma or full stop; after a closing
    bracket or a colon not followed by a particle; after a middle dot that
    separates items, not the parts of a foreign name (オックスフォード・ナノポア)."""
    if before in _STOPS:
        return True
    if before in _CLOSING or before == "：":
        return not _hiragana(after)
    return before == "・" and not _katakana(after)


def _break(line: str, start: int, width_: int) -> tuple[str, str]:
    """``line`` cut where the next line begins, looking back no further than
    keeps it full enough: between phrases (``_good_break``); else where
    hiragana gives way to kanji or katakana (a particle, then the next word:
    配信先に｜登録); else at its end, an opening bracket going down with
    what it opens. Returns the line to keep and what goes down to the next."""
    shortest = width_ * _FULL_ENOUGH
    places = [i for i in range(len(line) - 1, start, -1) if width(line[: i + 1]) >= shortest]
    for good in (
        lambda i: _good_break(line[i], line[i + 1]),
        # お and ご before a kanji are honorific prefixes (お送り, ご連絡), not endings.
        lambda i: _hiragana(line[i]) and line[i] not in "おご" and _word_start(line[i + 1]),
    ):
        for i in places:
            rest = line[i + 1 :]
            if rest and rest[0] not in _NO_START and good(i):
                return line[: i + 1], rest.lstrip()
    if line and line[-1] in _NO_END:
        return line[:-1], line[-1]
    return line, ""


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
    lines: list[str] = []
    line = lead
    for piece in _PIECES.findall(text):
        if piece.isspace():
            piece = " "
        fits = width(line) + width(piece.rstrip()) <= width_
        if fits or line.strip() == "" or piece[0] in _NO_START:
            line += piece
            continue
        head, carried = _break(line, len(indent if lines else lead), width_)
        lines.append(head.rstrip())
        line = indent + carried + piece.lstrip()
    lines.append(line.rstrip())
    return "\n".join(lines)
