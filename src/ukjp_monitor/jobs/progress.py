"""Progress recorded by hand: a completion, a re-forecast, a cancellation.

Each is one write transaction that checks the facts first (a completion or
cancellation is never dated after today in the programme's time zone) and
adds the change to the audit trail with who recorded it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from ukjp_monitor.errors import InputError
from ukjp_monitor.plan.periods import PeriodError, parse_period
from ukjp_monitor.settings import Clock
from ukjp_monitor.store import queries, recording


@dataclass(frozen=True)
class Recorder:
    """Where progress is written (a writer engine), the clock, and who records it."""

    engine: Engine
    clock: Clock
    actor: str | None

    def today(self, conn: Connection) -> date:
        """Today in the programme's time zone; NotSynced before the first sync."""
        zone = ZoneInfo(queries.load_programme(conn).timezone)
        return self.clock().astimezone(zone).date()


def complete(
    r: Recorder, milestone_id: str, *, on: date, evidence: str | None, note: str | None
) -> None:
    with r.engine.begin() as conn:
        today = r.today(conn)
        if on > today:
            raise InputError(
                f"the completion date {on} is after today ({today}); "
                "record a completion once it has happened"
            )
        recording.record_completion(
            conn,
            milestone_id,
            on=on,
            evidence=_line(evidence),
            note=_line(note),
            now=r.clock(),
            actor=r.actor,
        )


def forecast(r: Recorder, milestone_id: str, target: str, *, reason: str | None) -> None:
    try:
        period = parse_period(target)
    except PeriodError as exc:
        raise InputError(f"forecast for {milestone_id}: {exc}") from None
    with r.engine.begin() as conn:
        queries.load_programme(conn)
        recording.record_forecast(
            conn, milestone_id, period, reason=_line(reason), now=r.clock(), actor=r.actor
        )


def cancel(r: Recorder, milestone_id: str, *, reason: str, on: date | None) -> date:
    why = _line(reason)
    if not why:
        raise InputError("a cancellation needs a reason (--reason TEXT)")
    with r.engine.begin() as conn:
        today = r.today(conn)
        if on is not None and on > today:
            raise InputError(
                f"the cancellation date {on} is after today ({today}); "
                "record a cancellation once it has been decided"
            )
        on = on or today
        recording.record_cancellation(
            conn, milestone_id, on=on, reason=why, now=r.clock(), actor=r.actor
        )
    return on


def _line(text: str | None) -> str | None:
    """Free text from the command line, folded to one line (it may reach a
    mail header later, where a line break would forge one)."""
    if text is None:
        return None
    return " ".join(text.split()) or None
