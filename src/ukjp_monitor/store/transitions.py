"""Recording status transitions: what ``check`` found that moved.

A transition is stored when a milestone's (status, at-risk) pair differs from
what the previous check saw (``milestones.checked_*``). Checks are
serialised by a lock taken at the start of the transaction (SQLite's
``BEGIN IMMEDIATE``; a row lock on the programme in PostgreSQL) and the last
state is read *inside* that transaction, so two checks started at once record
each transition exactly once: the second one sees the first one's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from ukjp_monitor.errors import InputError
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.records import TransitionLine
from ukjp_monitor.plan.status import Assessment
from ukjp_monitor.store import bulk
from ukjp_monitor.store.schema import events, milestones, programme, transitions, workstreams

M = milestones.c
T = transitions.c


def lock_checks(conn: Connection) -> None:
    """Serialise checks (SQLite serialises writers already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(programme.c.id).where(programme.c.id == 1).with_for_update())


def last_checked_on(conn: Connection) -> date | None:
    return conn.execute(select(func.max(M.checked_on))).scalar()


def record_transitions(
    conn: Connection, assessments: Sequence[Assessment], *, as_of: date, now: datetime
) -> tuple[int | None, list[TransitionLine]]:
    """Store every change since the last check as one numbered check; return
    its number (None when nothing moved) and the changes, in the order of
    ``assessments`` (programme order when they come from ``store.load_plan``).

    Call inside a writer transaction after ``lock_checks``. Raises InputError
    when ``as_of`` is earlier than the last check: transitions only go forward.
    """
    last = last_checked_on(conn)
    if last is not None and as_of < last:
        raise InputError(
            f"the last check was as of {last}; a check as of {as_of} would "
            "record transitions backwards in time (use 'status --as-of' to look back)"
        )
    seen = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            select(M.id, M.checked_status, M.checked_at_risk).where(M.retired_at.is_(None))
        )
    }
    moved = [
        a
        for a in assessments
        if seen.get(a.milestone.id, (None, None)) != (a.status.value, a.at_risk)
    ]
    if not moved:
        return None, []
    bulk.update_rows(
        conn,
        milestones,
        "id",
        [
            {
                "id": a.milestone.id,
                "checked_status": a.status.value,
                "checked_at_risk": a.at_risk,
                "checked_on": as_of,
            }
            for a in moved
        ],
    )
    # Checks are serialised (lock_checks), so this number is this check's alone.
    check_id = conn.execute(select(func.coalesce(func.max(T.check_id), 0) + 1)).scalar_one()
    rows = []
    for a in moved:
        old_status, old_at_risk = seen.get(a.milestone.id, (None, None))
        window = a.milestone.window
        rows.append(
            {
                "check_id": check_id,
                "milestone_id": a.milestone.id,
                "as_of": as_of,
                "recorded_at": now,
                "old_status": old_status,
                "new_status": a.status.value,
                "old_at_risk": old_at_risk,
                "new_at_risk": a.at_risk,
                "window_text": window.text if window else None,
            }
        )
    bulk.insert_rows(conn, transitions, rows)
    ids = dict(
        conn.execute(select(T.milestone_id, T.id).where(T.check_id == check_id)).all()
    )  # one transition per milestone per check
    _record_events(conn, rows, ids, as_of=as_of, now=now)
    return check_id, [
        TransitionLine(
            ids[row["milestone_id"]],
            row["milestone_id"],
            a.milestone.title,
            a.milestone.workstream,
            as_of,
            row["old_status"],
            row["new_status"],
            row["old_at_risk"],
            row["new_at_risk"],
            row["window_text"],
            a.milestone.owner,
        )
        for a, row in zip(moved, rows, strict=True)
    ]


def _record_events(
    conn: Connection, rows: list[dict], ids: dict[str, int], *, as_of: date, now: datetime
) -> None:
    when, kind = as_of.isoformat(), EventKind.TRANSITION.value
    bulk.insert_rows(
        conn,
        events,
        [
            {
                "at": now,
                "milestone_id": row["milestone_id"],
                "kind": kind,
                "actor": None,
                "details": {
                    "old": row["old_status"],
                    "new": row["new_status"],
                    "old_at_risk": row["old_at_risk"],
                    "at_risk": row["new_at_risk"],
                    "as_of": when,
                    "transition": ids[row["milestone_id"]],
                },
            }
            for row in rows
        ],
    )


def load_check_lines(conn: Connection, check_id: int) -> list[TransitionLine]:
    """The transitions one check recorded, with each milestone's title,
    workstream and owner, in programme order."""
    query = (
        select(
            T.id,
            T.milestone_id,
            M.title,
            M.workstream_id,
            T.as_of,
            T.old_status,
            T.new_status,
            T.old_at_risk,
            T.new_at_risk,
            T.window_text,
            M.owner,
        )
        .join(milestones, M.id == T.milestone_id)
        .join(workstreams, workstreams.c.id == M.workstream_id)
        .where(T.check_id == check_id)
        .order_by(workstreams.c.position, M.position, T.id)
    )
    return [TransitionLine(*tuple(row)) for row in conn.execute(query)]
