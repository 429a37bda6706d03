"""What an alert or a digest says: pure composition, no clock, no I/O.

``compose_alert`` and ``compose_digest`` take assessments and changes that
the caller has already loaded and return plain data; ``rendering.py`` turns
that into subject, text and HTML. Each recipient sees only the workstreams
they follow. Neither names the recipient (the To header does), so one
rendering serves everyone who follows the same workstreams.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from ukjp_monitor.plan.records import ChangeLine, Recipient, TransitionLine
from ukjp_monitor.plan.status import ALERT_STATUSES, Assessment, Status, alert_rank

T = TypeVar("T")

#: How far back "recently completed" reaches.
RECENT_DAYS = 30
#: The most changes one alert lists; a first check on a large portfolio can
#: find tens of thousands, and a mail that long helps nobody.
ALERT_LINES = 100
#: A digest section lists at most this many entries (the heading counts them
#: all): a funder's weekly digest must stay readable, and a few hundred
#: kilobytes, however many thousand milestones are overdue.
SECTION_LINES = 50


@dataclass(frozen=True)
class Alert:
    """What changed for one audience. ``lines`` lists at most ``ALERT_LINES``
    of them, most urgent first; ``totals`` and ``omitted`` count them all."""

    programme: str
    as_of: date
    audience: str | tuple[str, ...]  # the workstreams followed ("all" for every one)
    lines: tuple[TransitionLine, ...]
    totals: tuple[tuple[str, int], ...] = ()
    omitted: int = 0

    def counts(self) -> dict[str, int]:
        return dict(self.totals) if self.totals else _alert_counts(self.lines)


def _alert_counts(lines: Iterable[TransitionLine]) -> dict[str, int]:
    counts = {s.value: 0 for s in ALERT_STATUSES}
    risk = 0
    for line in lines:
        if line.entered_alert_status:
            counts[line.new_status] += 1
        risk += line.became_at_risk
    counts["at risk"] = risk
    return counts


@dataclass(frozen=True)
class Section(Generic[T]):
    """The first ``SECTION_LINES`` entries of a digest section, and how many
    there are in all."""

    shown: tuple[T, ...] = ()
    total: int = 0

    @classmethod
    def of(cls, entries: Iterable[T]) -> Section[T]:
        entries = tuple(entries)
        return cls(entries[:SECTION_LINES], len(entries))

    @property
    def omitted(self) -> int:
        return self.total - len(self.shown)

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.shown)


@dataclass(frozen=True)
class Digest:
    programme: str
    as_of: date
    week: str
    since: date
    audience: str | tuple[str, ...]  # the workstreams followed ("all" for every one)
    overdue: Section[Assessment]
    due: Section[Assessment]
    at_risk: Section[Assessment]
    approaching: Section[Assessment]
    changes: Section[ChangeLine]
    unscheduled: Section[Assessment]
    completed: Section[Assessment]

    def counts(self) -> dict[str, int]:
        return {
            "overdue": self.overdue.total,
            "due": self.due.total,
            "at risk": self.at_risk.total,
            "approaching": self.approaching.total,
        }

    @property
    def needs_attention(self) -> bool:
        return any(self.counts().values())


def iso_week(day: date) -> str:
    """The ISO week a day falls in, e.g. ``2026-W48`` (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def compose_alert(
    *, programme: str, recipient: Recipient, as_of: date, lines: Iterable[TransitionLine]
) -> Alert | None:
    """The recipient's alert, or None when none of ``lines`` concerns them."""
    mine = [
        line for line in lines if line.alertable and recipient.follows(line.workstream, line.owner)
    ]
    if not mine:
        return None
    shown = sorted(mine, key=lambda line: alert_rank(line.new_status))[:ALERT_LINES]
    return Alert(
        programme,
        as_of,
        recipient.workstreams,
        tuple(shown),
        totals=tuple(_alert_counts(mine).items()),
        omitted=len(mine) - len(shown),
    )


def compose_digest(
    *,
    programme: str,
    recipient: Recipient,
    as_of: date,
    since: date,
    assessments: Sequence[Assessment],
    changes: Iterable[ChangeLine],
) -> Digest:
    """The recipient's weekly digest as of ``as_of``, with what changed after ``since``.

    Exceptions come first (overdue, due, at risk, approaching), then the
    changes, then what is unscheduled, then what was completed in the last
    ``RECENT_DAYS`` days.
    """
    mine = [a for a in assessments if recipient.follows(a.milestone.workstream, a.milestone.owner)]

    def having(status: Status) -> Section[Assessment]:
        return Section.of(a for a in mine if a.status is status)

    recent = as_of - timedelta(days=RECENT_DAYS)
    return Digest(
        programme=programme,
        as_of=as_of,
        week=iso_week(as_of),
        since=since,
        audience=recipient.workstreams,
        overdue=having(Status.OVERDUE),
        due=having(Status.DUE),
        at_risk=Section.of(a for a in mine if a.at_risk),
        approaching=having(Status.APPROACHING),
        changes=Section.of(c for c in changes if recipient.follows(c.workstream, c.owner)),
        unscheduled=having(Status.UNSCHEDULED),
        completed=Section.of(
            a
            for a in mine
            if a.status is Status.COMPLETED
            and a.milestone.completed_on
            and a.milestone.completed_on > recent
        ),
    )


def headline(counts: dict[str, int]) -> str:
    """'1 overdue, 2 due, 1 at risk', the non-zero counts in urgency order."""
    parts = [f"{n} {name}" for name, n in counts.items() if n]
    return ", ".join(parts) if parts else "nothing needs attention"
