"""What an alert says: the recipient's new transitions since the last check,
most severe first, each with the milestone as it stands. Pure, like ``compose``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ukjp_monitor.notify.compose import Entry, entries_for
from ukjp_monitor.notify.routing import Portfolio
from ukjp_monitor.plan.records import Audience, Recipient, TransitionLine
from ukjp_monitor.plan.status import ALERT_STATUSES, Assessment, Status, alert_rank

#: The most changes one alert lists; a first check on a large portfolio can
#: find tens of thousands, and a mail that long helps nobody.
ALERT_LINES = 100


@dataclass(frozen=True)
class AlertLine:
    transition: TransitionLine
    entry: Entry | None  # the milestone as it stands, when it is still in the plan


@dataclass(frozen=True)
class Alert:
    """What changed for one audience. ``lines`` lists at most ``ALERT_LINES``
    of them, most urgent first; ``totals`` and ``omitted`` count them all."""

    programme: str
    as_of: date
    audience: Audience  # what the recipient follows
    lines: tuple[AlertLine, ...]
    totals: tuple[tuple[str, int], ...] = ()
    omitted: int = 0

    def counts(self) -> dict[str, int]:
        return dict(self.totals)

    def capped(self, limit: int) -> Alert:
        total = len(self.lines) + self.omitted
        return dataclasses.replace(self, lines=self.lines[:limit], omitted=total - limit)


def _alert_counts(lines: Iterable[TransitionLine]) -> dict[str, int]:
    """New overdue, due, at risk and approaching, in the digest's order."""
    counts = {s.value: 0 for s in ALERT_STATUSES}
    risk = 0
    for line in lines:
        if line.entered_alert_status:
            counts[line.new_status] += 1
        risk += line.became_at_risk
    approaching = counts.pop(Status.APPROACHING.value)
    return {**counts, "at risk": risk, Status.APPROACHING.value: approaching}


def compose_alert(
    *,
    programme: str,
    recipient: Recipient,
    as_of: date,
    lines: Iterable[TransitionLine],
    assessments: Portfolio | Sequence[Assessment],
) -> Alert | None:
    """The recipient's alert, or None when none of ``lines`` concerns them."""
    mine = [
        line for line in lines if line.alertable and recipient.follows(line.workstream, line.owner)
    ]
    if not mine:
        return None
    portfolio = Portfolio.of(assessments)

    def severity(line: TransitionLine) -> tuple[int, int]:
        # Most severe status first; within it, as the digest orders its
        # sections: most days overdue, soonest end, soonest start.
        a = portfolio.get(line.milestone_id)
        if a is None:
            return (alert_rank(line.new_status), 0)
        days = a.days_to_start if line.new_status == Status.APPROACHING else a.days_to_end
        return (alert_rank(line.new_status), days or 0)

    shown = sorted(mine, key=severity)[:ALERT_LINES]
    ids = {line.milestone_id for line in shown}
    entries = entries_for(portfolio, ids, {}, language=recipient.language)
    return Alert(
        programme,
        as_of,
        recipient.audience,
        tuple(AlertLine(line, entries.get(line.milestone_id)) for line in shown),
        totals=tuple(_alert_counts(mine).items()),
        omitted=len(mine) - len(shown),
    )
