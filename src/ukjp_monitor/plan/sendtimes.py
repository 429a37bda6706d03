"""When each reader's weekly digest falls due (DESIGN §14). Pure.

The programme's digest schedule (``0 8 * * mon``) names the day of the week
and the default time. A reader's digest for an ISO week of *their* time zone
falls due on that day of that week at their ``send_at`` local time; if their
``calendar`` makes that day a weekend or public holiday, it falls due on
their next working day instead, at the same time, and still counts for the
week it was moved from. So a Tokyo reader's Monday digest at 08:00 goes at
23:00 the Sunday before in London, and on Labour Thanksgiving Day (a Monday
in 2026) it goes on the Tuesday.

A reader has at most one digest per week, so the digest *due* at an instant
is the one for the latest moment at or before it: this week's, or last
week's when a run of holidays moved it into this week. Missed moments (a
machine that was off) are not owed one by one: the next run sends the one
now due, once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ukjp_monitor.plan.calendars import WorkingDays

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def iso_week(day: date) -> str:
    """The ISO week a day falls in, e.g. ``2026-W48`` (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DigestSchedule:
    """The digest schedule as a day of the week and a time of day.

    ``weekdays`` holds the days the cron names (0 is Monday); a week's
    digest is due on the first of them.
    """

    weekdays: frozenset[int]
    at: time

    @classmethod
    def from_cron(cls, cron: str) -> DigestSchedule:
        """``"0 8 * * mon"`` → Mondays at 08:00. ValueError unless the cron
        fires at one time of day on named weekdays: each reader's
        ``send_at`` takes the place of its time."""
        fields = cron.split()
        if len(fields) != 5 or not (fields[0].isdigit() and fields[1].isdigit()):
            raise ValueError(_ONE_TIME.format(cron=cron))
        minute, hour = int(fields[0]), int(fields[1])
        if fields[2:4] != ["*", "*"] or minute > 59 or hour > 23:
            raise ValueError(_ONE_TIME.format(cron=cron))
        return cls(_weekdays(fields[4], cron), time(hour, minute))

    def cron(self, at: time, *, every_day: bool = False) -> str:
        """This schedule at ``at`` as a cron expression; ``every_day`` fires
        daily (a reader with a calendar may be due on any day)."""
        days = "*" if every_day else ",".join(DAY_NAMES[d] for d in sorted(self.weekdays))
        return f"{at.minute} {at.hour} * * {days}"


_ONE_TIME = (
    "{cron!r} must fire at one time of day on named weekdays, such as '0 8 * * mon', "
    "because each recipient's send_at takes the place of its time"
)


def _weekdays(field: str, cron: str) -> frozenset[int]:
    if field == "*":
        return frozenset(range(7))
    days: set[int] = set()
    for part in field.lower().split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(_ONE_TIME.format(cron=cron))
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        if end < start:
            raise ValueError(_ONE_TIME.format(cron=cron))
        days.update(range(start, end + 1))
    return frozenset(days)


@dataclass(frozen=True)
class Due:
    """A digest that has fallen due: the week it is for and the reader's
    local day it goes on (the day its news is told as of)."""

    week: str
    as_of: date
    moment: datetime


@dataclass(frozen=True)
class SendTime:
    """When one reader's digests fall due: the schedule's day, their local
    time ``at`` in ``zone``, moved past the holidays of ``calendar``."""

    schedule: DigestSchedule
    at: time
    zone: str
    calendar: str | None = None

    def moment(self, monday: date) -> datetime:
        """When the digest of the week starting ``monday`` (local) falls due."""
        day = monday + timedelta(days=min(self.schedule.weekdays))
        if self.calendar:
            day = _working_days(self.calendar).next_working_day(day)
        # A time that a clock change skips (02:30 on a spring-forward night)
        # resolves to the hour after, as zoneinfo's fold=0 does.
        return datetime.combine(day, self.at, tzinfo=ZoneInfo(self.zone))

    def due(self, now: datetime) -> Due | None:
        """The digest due at ``now``, if any has fallen due this week."""
        local = now.astimezone(ZoneInfo(self.zone)).date()
        monday = local - timedelta(days=local.weekday())
        for week_start in (monday, monday - timedelta(days=7)):
            moment = self.moment(week_start)
            if moment <= now and moment.date() >= monday:
                return Due(iso_week(week_start), local, moment)
        return None

    def last(self, now: datetime) -> datetime | None:
        """The latest moment at or before ``now`` at which a digest fell due."""
        local = now.astimezone(ZoneInfo(self.zone)).date()
        monday = local - timedelta(days=local.weekday())
        moments = [self.moment(monday - timedelta(days=7 * n)) for n in range(3)]
        return max((m for m in moments if m <= now), default=None)

    def next(self, after: datetime) -> datetime:
        """The first moment at or after ``after`` at which a digest falls due."""
        local = after.astimezone(ZoneInfo(self.zone)).date()
        monday = local - timedelta(days=local.weekday())
        moments = [self.moment(monday + timedelta(days=7 * n)) for n in range(-1, 3)]
        return min(m for m in moments if m >= after)

    @property
    def cron(self) -> str:
        """A cron expression (in ``zone``) firing at every moment this can
        fall due: the schedule's days, or every day with a calendar."""
        return self.schedule.cron(self.at, every_day=self.calendar is not None)

    @property
    def described(self) -> str:
        """In words: ``08:00 Asia/Tokyo on JP working days``."""
        on = f" on {self.calendar} working days" if self.calendar else ""
        return f"{self.at:%H:%M} {self.zone}{on}"

    @property
    def stored(self) -> str:
        """As the database keeps it: ``08:00 Asia/Tokyo JP`` (``parse_stored``)."""
        return " ".join(
            [f"{self.at:%H:%M}", self.zone, *([self.calendar] if self.calendar else [])]
        )


def stored_send_times(times: Iterable[SendTime]) -> str:
    """The distinct send times as one line of text, for the database."""
    return "; ".join(t.stored for t in distinct(times))


def parse_stored(text: str, schedule: DigestSchedule) -> list[SendTime]:
    """The send times ``stored_send_times`` wrote, under ``schedule``."""
    times = []
    for entry in filter(None, (e.strip() for e in text.split(";"))):
        at, zone, *calendar = entry.split()
        hour, minute = at.split(":")
        times.append(SendTime(schedule, time(int(hour), int(minute)), zone, *calendar))
    return times


def distinct(times: Iterable[SendTime]) -> list[SendTime]:
    """The different send times among ``times``, earliest in the day first."""
    return sorted(set(times), key=lambda t: (t.at, t.zone, t.calendar or ""))


def last_due(times: Iterable[SendTime], now: datetime) -> datetime | None:
    """The latest moment at or before ``now`` when some digest fell due."""
    return max((m for t in times if (m := t.last(now)) is not None), default=None)


def next_due(times: Iterable[SendTime], after: datetime) -> datetime | None:
    """The first moment at or after ``after`` when some digest falls due."""
    return min((t.next(after) for t in times), default=None)


def prefect_schedules(times: Iterable[SendTime]) -> list[dict[str, str]]:
    """The weekly-digest deployment's schedules for prefect.yaml: a cron in
    each zone at each send time, daily where a calendar may move the day."""
    lines = {(t.cron, t.zone) for t in times}
    return [{"cron": cron, "timezone": zone} for cron, zone in sorted(lines)]


@functools.cache
def _working_days(calendar: str) -> WorkingDays:
    return WorkingDays((calendar,))
