"""What changed since a moment: the "changes" section of a digest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, select

from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.records import ChangeLine
from ukjp_monitor.store.schema import events, milestones, transitions, workstreams

M, E, T, W = milestones.c, events.c, transitions.c, workstreams.c
_PROGRESS = (
    EventKind.FORECAST,
    EventKind.REBASELINED,
    EventKind.COMPLETED,
    EventKind.REOPENED,
    EventKind.CANCELLED,
    EventKind.REINSTATED,
)


def changes_since(conn: Connection, since: datetime) -> list[ChangeLine]:
    """Status transitions and progress recorded after ``since``, in programme order."""
    order = (W.position, M.position)
    moves = conn.execute(
        select(
            T.milestone_id,
            M.title,
            M.workstream_id,
            T.old_status,
            T.new_status,
            T.as_of,
            T.old_at_risk,
            T.new_at_risk,
            M.owner,
        )
        .join(milestones, M.id == T.milestone_id)
        .join(workstreams, W.id == M.workstream_id)
        .where(T.recorded_at > since)
        .order_by(*order, T.id)
    )
    lines = [
        ChangeLine(mid, title, ws, "status", old, new, as_of, owner)
        for mid, title, ws, old, new, as_of, old_risk, new_risk, owner in moves
        # A milestone's first status is the sync adding it, not news.
        if old != new and old is not None
    ]
    progress = conn.execute(
        select(E.milestone_id, M.title, M.workstream_id, E.kind, E.details, E.at, M.owner)
        .join(milestones, M.id == E.milestone_id)
        .join(workstreams, W.id == M.workstream_id)
        .where(E.at > since, E.kind.in_([k.value for k in _PROGRESS]))
        .order_by(*order, E.id)
    )
    # Progress the config held when a milestone was first synced came with
    # it (package-announced, completed on the day it was announced): not news.
    added = set(
        conn.scalars(select(E.milestone_id).where(E.at > since, E.kind == EventKind.ADDED.value))
    )
    for mid, title, ws, kind, details, at, owner in progress:
        details = details or {}
        if mid in added and details.get("source") == "config":
            continue
        old, new = _old_new(kind, details)
        reason, evidence = details.get("reason"), details.get("evidence")
        lines.append(ChangeLine(mid, title, ws, kind, old, new, at.date(), owner, reason, evidence))
    return lines


def completion_evidence(conn: Connection, completed_after: date) -> dict[str, str]:
    """The evidence recorded with the latest completion of each milestone
    completed after ``completed_after`` that is still completed, by id."""
    rows = conn.execute(
        select(E.milestone_id, E.details)
        .join(milestones, M.id == E.milestone_id)
        .where(E.kind == EventKind.COMPLETED.value, M.completed_on > completed_after)
        .order_by(E.id)
    )
    found: dict[str, str] = {}
    for mid, details in rows:
        evidence = (details or {}).get("evidence")
        if evidence:
            found[mid] = evidence
    return found


def _old_new(kind: str, details: dict) -> tuple[str | None, str | None]:
    if kind in (EventKind.FORECAST, EventKind.REBASELINED):
        return details.get("old"), details.get("new")
    if kind == EventKind.COMPLETED:
        return details.get("previous"), details.get("on")
    if kind == EventKind.REOPENED:
        return details.get("previous"), None
    return None, details.get("on")
