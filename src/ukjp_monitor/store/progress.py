"""Progress keys in the config (``forecast``, ``completed_on``, ``cancelled``),
applied at sync when the config's value *changes* between syncs.

``milestones.cfg_*`` remember what the config last said, so progress
recorded with the CLI survives re-syncing a config that says nothing new
about it; changing the value in the config again overrides it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ukjp_monitor.config.specs import ConfiguredMilestone
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.store.recording import current_forecast_text, forecast_columns


def empty_progress() -> dict[str, Any]:
    """The progress columns of a milestone new to the database: none reported."""
    return {
        **forecast_columns(None, reforecast=False),
        "completed_on": None,
        "cancelled_on": None,
        "cfg_forecast": None,
        "cfg_completed_on": None,
        "cfg_cancelled": False,
        "retired_at": None,
    }


def apply_progress(row, spec: ConfiguredMilestone, today: date, record) -> dict[str, Any]:
    """Apply progress keys whose config value changed since the last sync."""
    changes: dict[str, Any] = {}
    said = (str(spec.forecast) if spec.forecast else "TBC") if spec.states_forecast else None
    if said != row["cfg_forecast"]:
        changes["cfg_forecast"] = said
        fields = forecast_columns(spec.forecast if said else None, reforecast=said is not None)
        if any(row[k] != v for k, v in fields.items()):
            record(
                EventKind.FORECAST,
                spec.id,
                old=current_forecast_text(row),
                new=said or row["target_text"] or "TBC",
                source="config",
            )
            changes.update(fields)
    if spec.completed_on != row["cfg_completed_on"]:
        changes["cfg_completed_on"] = spec.completed_on
        if spec.completed_on != row["completed_on"]:
            if spec.completed_on is None:
                record(
                    EventKind.REOPENED, spec.id, previous=str(row["completed_on"]), source="config"
                )
            else:
                record(
                    EventKind.COMPLETED,
                    spec.id,
                    on=str(spec.completed_on),
                    previous=_iso(row["completed_on"]),
                    source="config",
                )
            changes["completed_on"] = spec.completed_on
    if spec.cancelled != row["cfg_cancelled"]:
        changes["cfg_cancelled"] = spec.cancelled
        if spec.cancelled != (row["cancelled_on"] is not None):
            record(
                EventKind.CANCELLED if spec.cancelled else EventKind.REINSTATED,
                spec.id,
                on=str(today),
                source="config",
            )
            changes["cancelled_on"] = today if spec.cancelled else None
    row.update(changes)
    return changes


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
