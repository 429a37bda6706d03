"""Progress reported on the CLI, written to a milestone's row with its audit
event: a completion, a re-forecast, a cancellation. Each refuses a milestone
that is retired or not there, and one whose state rules the change out.

``forecast_columns`` and ``current_forecast_text`` are shared with the
config's progress keys (``progress``), so both write a forecast alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ukjp_monitor.errors import InputError, UnknownMilestone
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.periods import Period
from ukjp_monitor.store.queries import live_ids
from ukjp_monitor.store.schema import events, milestones

M = milestones.c


def _live_row(conn: Connection, milestone_id: str) -> dict[str, Any]:
    row = conn.execute(select(milestones).where(M.id == milestone_id)).mappings().first()
    if row is None or row["retired_at"] is not None:
        raise UnknownMilestone(milestone_id, live_ids(conn))
    return dict(row)


def _record(conn, milestone_id, kind: EventKind, *, now, actor, **details) -> None:
    conn.execute(
        insert(events).values(
            at=now, milestone_id=milestone_id, kind=kind.value, actor=actor, details=details
        )
    )


def record_completion(
    conn: Connection,
    milestone_id: str,
    *,
    on: date,
    evidence: str | None,
    note: str | None,
    now: datetime,
    actor: str | None,
) -> None:
    row = _live_row(conn, milestone_id)
    if row["cancelled_on"] is not None:
        raise InputError(
            f"milestone {milestone_id} was cancelled on {row['cancelled_on']}; "
            "a cancelled milestone cannot be completed"
        )
    conn.execute(update(milestones).where(M.id == milestone_id).values(completed_on=on))
    _record(
        conn,
        milestone_id,
        EventKind.COMPLETED,
        now=now,
        actor=actor,
        on=on.isoformat(),
        previous=row["completed_on"].isoformat() if row["completed_on"] else None,
        evidence=evidence,
        note=note,
        source="cli",
    )


def forecast_columns(forecast: Period | None, *, reforecast: bool = True) -> dict[str, Any]:
    """The milestone columns that hold a forecast (``reforecast=False`` clears it)."""
    return {
        "reforecast": reforecast,
        "forecast_text": str(forecast) if forecast else None,
        "forecast_start": forecast.start if forecast else None,
        "forecast_end": forecast.end if forecast else None,
    }


def current_forecast_text(row: Mapping[str, Any]) -> str:
    """What a milestone row is forecast for now: its forecast, else its target."""
    text = row["forecast_text"] if row["reforecast"] else row["target_text"]
    return text or "TBC"


def record_forecast(
    conn: Connection,
    milestone_id: str,
    forecast: Period | None,
    *,
    reason: str | None,
    now: datetime,
    actor: str | None,
) -> None:
    row = _live_row(conn, milestone_id)
    old = current_forecast_text(row)
    columns = forecast_columns(forecast)
    conn.execute(update(milestones).where(M.id == milestone_id).values(**columns))
    _record(
        conn,
        milestone_id,
        EventKind.FORECAST,
        now=now,
        actor=actor,
        old=old,
        new=str(forecast) if forecast else "TBC",
        reason=reason,
        source="cli",
    )


def record_cancellation(
    conn: Connection, milestone_id: str, *, on: date, reason: str, now: datetime, actor: str | None
) -> None:
    row = _live_row(conn, milestone_id)
    if row["cancelled_on"] is not None:
        raise InputError(
            f"milestone {milestone_id} is already cancelled (since {row['cancelled_on']})"
        )
    conn.execute(update(milestones).where(M.id == milestone_id).values(cancelled_on=on))
    _record(
        conn,
        milestone_id,
        EventKind.CANCELLED,
        now=now,
        actor=actor,
        on=on.isoformat(),
        reason=reason,
        source="cli",
    )
