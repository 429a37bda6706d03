"""Working days in the two countries' calendars (DESIGN §14).

Pure: public holidays come from the ``holidays`` package's tables, not from
any service. ``GB-ENG``, ``GB-SCT``, ``GB-WLS`` and ``GB-NIR`` are the UK
nations' bank holidays, substitute days included (Boxing Day observed on a
Monday, St Andrew's Day in Scotland); ``JP`` is Japan's national holidays,
substitute holidays included (振替休日, as in Golden Week), and the bank
holidays of the New Year (31 December to 3 January), when offices close.
Saturdays and Sundays are never working days.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

#: The calendars a recipient or the programme may name.
CALENDARS = ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR", "JP")


@functools.cache
def _holidays(code: str) -> holidays.HolidayBase:
    if code not in CALENDARS:
        raise ValueError(f"no calendar {code!r}; calendars: {', '.join(CALENDARS)}")
    import holidays  # the tables load only for a programme that names calendars

    if code == "JP":
        return holidays.country_holidays("JP", categories=("public", "bank"))
    return holidays.country_holidays("GB", subdiv=code[3:])


class WorkingDays:
    """The days that are working days in every one of ``calendars``."""

    def __init__(self, calendars: tuple[str, ...]):
        self.calendars = tuple(calendars)
        self._tables = [_holidays(code) for code in self.calendars]
        # Working days up to each day of the years seen so far, so that a
        # portfolio's days-left cost a subtraction each, not a walk.
        self._counted: dict[int, list[int]] = {}
        # A portfolio's windows end on a few hundred distinct days.
        self._between: dict[tuple[date, date], int] = {}

    def holiday(self, day: date) -> str | None:
        """The public holiday ``day`` is in any of the calendars, by name."""
        found: list[str] = []
        for table in self._tables:
            for name in (table.get(day) or "").split("; "):
                if name and name not in found:
                    found.append(name)
        return "; ".join(found) if found else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not any(day in table for table in self._tables)

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (as "days
        left" counts); negative when ``end`` comes first."""
        if end < start:
            return -self.between(end, start)
        known = self._between.get((start, end))
        if known is not None:
            return known
        years = sum(self._year(year)[-1] for year in range(start.year, end.year))
        self._between[start, end] = found = years + self._count(end) - self._count(start)
        return found

    def _count(self, day: date) -> int:
        """Working days from 1 January of ``day``'s year up to and including it."""
        return self._year(day.year)[day.timetuple().tm_yday - 1]

    def _year(self, year: int) -> list[int]:
        if year not in self._counted:
            running, counts, day = 0, [], date(year, 1, 1)
            while day.year == year:
                running += self.is_working_day(day)
                counts.append(running)
                day += timedelta(days=1)
            self._counted[year] = counts
        return self._counted[year]
