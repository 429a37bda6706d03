"""A milestone's forecast trail, from its audit trail: what its window was
said to be, and on which day each forecast was made.

Pure. The milestone-trend chart plots it (x: the day a forecast was made,
y: the window forecast then); the first point is the target the milestone
was added with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.periods import Period, PeriodError, parse_period


@dataclass(frozen=True)
class TrailPoint:
    """On ``made_on`` the window was forecast to be ``window`` (None: TBC)."""

    made_on: date
    window: Period | None
    kind: str  # added, forecast or rebaselined: what set it


def forecast_trail(events: Iterable[dict[str, Any]], timezone: str) -> list[TrailPoint]:
    """The windows a milestone's events gave it, oldest first. A re-baseline
    moves the window only while the milestone has not been re-forecast."""
    zone = ZoneInfo(timezone)
    points: list[TrailPoint] = []
    forecast_made = False
    for event in events:
        kind, details = event["kind"], event["details"] or {}
        if kind == EventKind.ADDED:
            text = details.get("target")
        elif kind == EventKind.FORECAST:
            text, forecast_made = details.get("new"), True
        elif kind == EventKind.REBASELINED and not forecast_made:
            text = details.get("new")
        else:
            continue
        points.append(TrailPoint(event["at"].astimezone(zone).date(), _period(text), kind))
    return points


def _period(text: Any) -> Period | None:
    try:
        return parse_period(text)
    except PeriodError:
        return None
