"""Target periods: the announced forms of a date, each an inclusive window.

This module is the one place that parses them. Accepted forms (case does not
matter; the canonical spelling is what ``str()`` gives back):

=================  ===================  ===========================
form               example              window
=================  ===================  ===========================
day                2026-09-30           that day
month              2026-09              the whole month
quarter            2026-Q3, Q3 2026     1 Jul – 30 Sep 2026
half               2026-H2, H2 2026     1 Jul – 31 Dec 2026
year               2026                 1 Jan – 31 Dec 2026
financial year     FY2026               1 Apr 2026 – 31 Mar 2027
explicit           {from: D, to: D}     as given, inclusive
                   or D..D
none               TBC, null, omitted   no window (unscheduled)
=================  ===================  ===========================

UK and Japanese financial years both start on 1 April, so ``FY2026`` means the
year that starts in April 2026 (the UK's 2026-27, Japan's 令和8年度).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

ACCEPTED_FORMS = (
    "YYYY-MM-DD, YYYY-MM, YYYY-Qn or Qn YYYY, YYYY-Hn or Hn YYYY, YYYY, FYYYYY, "
    "{from: YYYY-MM-DD, to: YYYY-MM-DD} (or YYYY-MM-DD..YYYY-MM-DD) or TBC"
)

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(?:(\d{4})-Q([1-4])|Q([1-4]) (\d{4}))$")
_HALF = re.compile(r"^(?:(\d{4})-H([12])|H([12]) (\d{4}))$")
_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^FY(\d{4})$")
_WINDOW = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_TBC = {"", "TBC", "NULL", "NONE"}


class PeriodError(ValueError):
    """A target that is none of the accepted forms; the message says which are."""


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive window of dates with the text it was written as."""

    text: str
    start: date
    end: date

    def __str__(self) -> str:
        return self.text

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def parse_period(value: Any) -> Period | None:
    """Parse a target as written in config or on the command line.

    Returns None for "to be confirmed" (``TBC``, ``null``, empty). Raises
    PeriodError naming the accepted forms for anything else.
    """
    if isinstance(value, str):
        return _parse_written(value)
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return _day(value.year, value.month, value.day)
    if isinstance(value, dict):
        return _explicit(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PeriodError(f"{value!r} is not a period; use {ACCEPTED_FORMS}")
    return _written(value)


def _written(value: str | int) -> Period | None:
    text = " ".join(str(value).split()).upper()
    if text in _TBC:
        return None
    try:
        period = _parse_text(text)
    except PeriodError:
        raise
    except ValueError:
        # A well-formed year outside what ``date`` holds (0000, FY9999).
        period = None
    if period is None:
        raise PeriodError(f"{value!r} is not a period; use {ACCEPTED_FORMS}")
    return period


# A funder's 100,000 milestones share a few thousand targets. Periods are
# frozen, so one parsed object may stand for every milestone that writes
# the same text; a text that is refused raises each time, and is not kept.
_parse_written = lru_cache(maxsize=1 << 16)(_written)


def period_from_bounds(text: str | None, start: date | None, end: date | None) -> Period | None:
    """Rebuild a stored period without parsing (the database keeps all three)."""
    if text is None or start is None or end is None:
        return None
    return Period(text, start, end)


def _parse_text(text: str) -> Period | None:
    if m := _DAY.match(text):
        return _day(*map(int, m.groups()))
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        _check_month(text, month)
        return _span(f"{year:04d}-{month:02d}", year, month, year, month)
    if m := _QUARTER.match(text):
        year, q = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        return _span(f"{year:04d}-Q{q}", year, 3 * q - 2, year, 3 * q)
    if m := _HALF.match(text):
        year, h = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        return _span(f"{year:04d}-H{h}", year, 6 * h - 5, year, 6 * h)
    if m := _YEAR.match(text):
        year = int(m[1])
        return _span(f"{year:04d}", year, 1, year, 12)
    if m := _FINANCIAL_YEAR.match(text):
        year = int(m[1])
        return Period(f"FY{year:04d}", date(year, 4, 1), date(year + 1, 3, 31))
    if m := _WINDOW.match(text):
        return _explicit({"from": m[1], "to": m[2]})
    return None


def parse_day(value: Any) -> date:
    """Parse one calendar date (``YYYY-MM-DD``); PeriodError if it is not one."""
    if isinstance(value, datetime):
        # YAML reads "2026-10-01 09:00" as a datetime; a moment is not a day.
        raise PeriodError(f"{value!r} is not a date; use YYYY-MM-DD")
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DAY.match(text):
        raise PeriodError(f"{value!r} is not a date; use YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(f"{value!r} is not a real date ({exc})") from None


def _day(year: int, month: int, day: int) -> Period:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    one = parse_day(text)
    return Period(text, one, one)


def _check_month(text: str, month: int) -> None:
    if not 1 <= month <= 12:
        raise PeriodError(f"{text!r} is not a real month; months run 01 to 12")


def _span(text: str, y1: int, m1: int, y2: int, m2: int) -> Period:
    last = calendar.monthrange(y2, m2)[1]
    return Period(text, date(y1, m1, 1), date(y2, m2, last))


def _explicit(value: dict) -> Period:
    unknown = set(value) - {"from", "to"}
    if unknown or not {"from", "to"} <= set(value):
        raise PeriodError(
            "an explicit window takes exactly the keys 'from' and 'to', "
            f"got {sorted(map(str, value))}"
        )
    start, end = parse_day(value["from"]), parse_day(value["to"])
    if start > end:
        raise PeriodError(f"the window ends ({end}) before it starts ({start})")
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
