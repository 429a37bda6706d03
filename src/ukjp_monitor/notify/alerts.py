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
from ukjp_monitor.plan.status import ALERT_STATUSES, Assessment, alert_rank

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
    counts = {s.value: 0 for s in ALERT_STATUSES}
    risk = 0
    for line in lines:
        if line.entered_alert_status:
            counts[line.new_status] += 1
        risk += line.became_at_risk
    counts["at risk"] = risk
    return counts


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
    shown = sorted(mine, key=lambda line: alert_rank(line.new_status))[:ALERT_LINES]
    ids = {line.milestone_id for line in shown}
    entries = entries_for(assessments, ids, {}, language=recipient.language)
    return Alert(
        programme,
        as_of,
        recipient.audience,
        tuple(AlertLine(line, entries.get(line.milestone_id)) for line in shown),
        totals=tuple(_alert_counts(mine).items()),
        omitted=len(mine) - len(shown),
    )
