"""The programme's words for dates, periods and counts, as readers see them.

Pure: ``H2 2026``, ``Q1 2027``, ``Sep 2026``, ``FY2026 (Apr 2026 – Mar 2027)``,
``1 Oct 2026 – 31 Jan 2027``, ``Tue 1 Dec 2026``, ``3,812``. Messages use
these; the configuration and the database keep the canonical spellings
(``2026-H2``, ``2026-10-01..2027-01-31``).
"""

from __future__ import annotations

import re
from datetime import date

from ukjp_monitor.plan.periods import Period

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_QUARTER_OR_HALF = re.compile(r"^(\d{4})-([QH][1-4])$")
#: An en dash with spaces, as a range between dates is written.
DASH = " – "


def count(n: int) -> str:
    """A whole number with thousands separators: ``3,812``."""
    return f"{n:,}"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 milestone``, ``3,812 milestones``."""
    return f"{count(n)} {noun if n == 1 else plural or noun + 's'}"


def day(d: date) -> str:
    """``1 Dec 2026``."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def weekday(d: date) -> str:
    """``Tue 1 Dec 2026``."""
    return f"{_DAYS[d.weekday()]} {day(d)}"


def month(d: date) -> str:
    """``Sep 2026``."""
    return f"{_MONTHS[d.month - 1]} {d.year}"


def span(start: date, end: date) -> str:
    """``1 Oct 2026 – 31 Jan 2027``, or one day when they are the same."""
    return day(start) if start == end else day(start) + DASH + day(end)


def period(p: Period | None) -> str:
    """A target period in words; ``TBC`` when there is none."""
    if p is None:
        return "TBC"
    text = p.text
    if m := _QUARTER_OR_HALF.match(text):
        return f"{m[2]} {m[1]}"
    if text.startswith("FY"):
        return f"{text} ({month(p.start)}{DASH}{month(p.end)})"
    if len(text) == 7:  # YYYY-MM
        return month(p.start)
    if len(text) == 4:  # YYYY
        return text
    return span(p.start, p.end)


def days(n: int) -> str:
    """``1 day``, ``1,204 days``."""
    return counted(n, "day")


def listing(items: list[str], last: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
