"""The audit trail's vocabulary: event kinds and how each reads in one line."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    ADDED = "added"  # a milestone appeared in the config
    UPDATED = "updated"  # title, owner, dependencies… changed in the config
    REBASELINED = "rebaselined"  # the announced target changed
    RETIRED = "retired"  # gone from the config; kept, no longer reported
    RESTORED = "restored"  # back in the config after retirement
    FORECAST = "forecast"  # re-forecast (slip or pull-in)
    COMPLETED = "completed"
    REOPENED = "reopened"  # a completion withdrawn
    CANCELLED = "cancelled"
    REINSTATED = "reinstated"  # a cancellation withdrawn
    PROGRAMME = "programme"  # programme settings changed
    TRANSITION = "transition"  # check saw the status (or risk) change
    DELIVERY = "delivery"  # an alert or digest was sent, deferred or refused


def describe(kind: str, details: dict[str, Any]) -> str:
    """One plain line saying what an event did."""
    d = details
    text = {
        EventKind.ADDED: lambda: f"added to the plan, target {d.get('target') or 'TBC'}",
        EventKind.UPDATED: lambda: "; ".join(
            f"{name} {_show(old)} → {_show(new)}" for name, (old, new) in d["changes"].items()
        ),
        EventKind.REBASELINED: lambda: f"target re-baselined {_show(d['old'])} → {_show(d['new'])}",
        EventKind.RETIRED: lambda: "retired: no longer in the config",
        EventKind.RESTORED: lambda: "restored: back in the config",
        EventKind.FORECAST: lambda: f"re-forecast {_show(d['old'])} → {_show(d['new'])}",
        EventKind.COMPLETED: lambda: f"completed on {d['on']}",
        EventKind.REOPENED: lambda: f"completion on {d['previous']} withdrawn",
        EventKind.CANCELLED: lambda: "cancelled",
        EventKind.REINSTATED: lambda: "cancellation withdrawn",
        EventKind.TRANSITION: lambda: _transition(d),
        EventKind.DELIVERY: lambda: _delivery(d),
        EventKind.PROGRAMME: lambda: (
            "programme settings: "
            + "; ".join(
                f"{name} {_show(old)} → {_show(new)}" for name, (old, new) in d["changes"].items()
            )
        ),
    }.get(kind)
    line = text() if text else kind
    extras = [
        f"{label} {d[key]}"
        for key, label in (("reason", "because"), ("evidence", "evidence"), ("note", "note"))
        if d.get(key)
    ]
    if d.get("source") == "config" and kind in _PROGRESS:
        extras.append("from the config")
    return ", ".join([line, *extras])


_PROGRESS = {
    EventKind.FORECAST,
    EventKind.COMPLETED,
    EventKind.REOPENED,
    EventKind.CANCELLED,
    EventKind.REINSTATED,
}


def _transition(d: dict[str, Any]) -> str:
    text = f"status {d['old'] or 'new'} → {d['new']} as of {d['as_of']}"
    if d.get("at_risk") and not d.get("old_at_risk"):
        text += ", now at risk"
    elif d.get("old_at_risk") and not d.get("at_risk"):
        text += ", no longer at risk"
    return text


def _delivery(d: dict[str, Any]) -> str:
    what = f"{d['message']} to {d['recipient']}"
    if d["state"] == "sent":
        return f"{what} sent: {d.get('subject') or ''}".rstrip(": ")
    if d["state"] == "failed":
        return f"{what} refused for good: {d.get('error')}"
    return f"{what} not sent yet, will retry: {d.get('error')}"


def _show(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return str(value)
