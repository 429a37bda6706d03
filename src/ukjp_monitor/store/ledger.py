"""The delivery ledger: claim before sending, mark after.

Every message is one ``deliveries`` row, unique on ``(recipient,
dedupe_key)``: a recipient's alert about one check (``check:ID``; the lines
are that check's transitions the recipient follows, worked out when it is
sent) or their digest for one ISO week (``digest:WEEK``). A process *claims*
rows (inserting them, or taking over ones nobody is working on) in a
committed transaction before it sends, and marks each message sent, failed
(permanent) or pending (temporary failure, released for the next run) right
after the server answers. The Message-ID is given at the claim, so a resend
of the same message carries the same one.

A pending row is free to take over when nobody holds it (released after a
temporary failure), when its holder is a process on this host that no longer
exists (killed mid-send), or when the claim is older than ``LEASE`` (a holder
on another host that went away). Taking over is a conditional UPDATE on the
old holder, so two processes never take the same message.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.records import Outcome, Result, new_message_id
from ukjp_monitor.store import bulk
from ukjp_monitor.store.schema import deliveries, events

D = deliveries.c
LEASE = timedelta(minutes=15)
PENDING, SENT, FAILED = "pending", "sent", "failed"
ALERT, DIGEST = "alert", "digest"
#: A chat channel's alert and weekly summary (recipient ``channel:NAME``).
CHANNEL_ALERT, CHANNEL_SUMMARY = "ch-alert", "ch-summary"
#: What the history calls each kind of message.
MESSAGES = {
    ALERT: "alert",
    DIGEST: "weekly digest",
    CHANNEL_ALERT: "channel alert",
    CHANNEL_SUMMARY: "weekly summary",
}
#: The kinds whose last sending starts the next one's "changes since".
_WEEKLY = (DIGEST, CHANNEL_SUMMARY)


def claimer_id() -> str:
    """Who holds a claim: this host and process, plus a nonce for this run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claim:
    """One message to send: an alert about check ``check_id``, or a digest for ``week``."""

    message_id: str
    kind: str
    recipient: str
    as_of: date
    week: str | None
    check_id: int | None


def claim_alerts(
    conn: Connection,
    recipients: Iterable[str],
    *,
    check_id: int,
    as_of: date,
    now: datetime,
    claimer: str,
    domain: str,
    kind: str = ALERT,
) -> None:
    """Claim one alert (``kind``: to a recipient, or ``CHANNEL_ALERT``) per
    recipient about check ``check_id`` (a new check: nobody can have claimed
    it before); Message-IDs in ``domain``."""
    key = f"check:{check_id}"
    rows = [
        _row(kind, r, key, new_message_id(domain), as_of, now, claimer, check_id=check_id)
        for r in recipients
    ]
    bulk.insert_rows(conn, deliveries, rows)


def claim_digest(
    conn: Connection,
    recipient: str,
    *,
    week: str,
    as_of: date,
    now: datetime,
    claimer: str,
    domain: str,
    force: bool = False,
    kind: str = DIGEST,
) -> bool:
    """Claim this week's digest (``kind``: or a channel's ``CHANNEL_SUMMARY``)
    for ``recipient``; False if it is already claimed.

    ``force`` claims an extra digest for the week under a key of its own.
    """
    key = f"digest:{week}" + (f":forced:{now.isoformat()}" if force else "")
    row = _row(kind, recipient, key, new_message_id(domain), as_of, now, claimer, week=week)
    return _insert_if_absent(conn, row)


def take_over_abandoned(
    conn: Connection, *, now: datetime, claimer: str, kind: str | None = None
) -> int:
    """Claim pending rows that nobody is working on; returns how many."""
    pending = conn.execute(
        select(D.claimed_by, D.message_id, D.claimed_at).where(
            D.state == PENDING, *([D.kind == kind] if kind else [])
        )
    )
    taken = 0
    for holder, message_id, claimed_at in pending.all():
        if holder == claimer or not _abandoned(holder, claimed_at, now):
            continue
        result = conn.execute(
            update(deliveries)
            .where(
                D.message_id == message_id,
                D.state == PENDING,
                D.claimed_by.is_(None) if holder is None else D.claimed_by == holder,
            )
            .values(claimed_by=claimer, claimed_at=now)
        )
        taken += result.rowcount
    return taken


def held_by(conn: Connection, claimer: str, kind: str | None = None) -> list[Claim]:
    """The messages ``claimer`` holds and has not finished, oldest first."""
    query = (
        select(D.message_id, D.kind, D.recipient, D.as_of, D.week, D.check_id)
        .where(D.claimed_by == claimer, D.state == PENDING)
        .order_by(D.id)
    )
    if kind:
        query = query.where(D.kind == kind)
    return [Claim(*tuple(row)) for row in conn.execute(query)]


def mark(
    conn: Connection,
    claim: Claim,
    result: Result,
    *,
    subject: str | None,
    now: datetime,
    claimer: str,
) -> None:
    """Record the outcome of sending ``claim`` and add it to the audit trail."""
    if result.outcome is Outcome.SENT:
        values = {"state": SENT, "sent_at": now, "error": None}
    elif result.outcome is Outcome.REFUSED:
        values = {"state": FAILED, "error": (result.error or "")[:1000]}
    else:  # released: the next run takes it over at once
        values = {"state": PENDING, "claimed_by": None, "error": (result.error or "")[:1000]}
    conn.execute(
        update(deliveries)
        .where(D.message_id == claim.message_id, D.claimed_by == claimer)
        .values(attempts=D.attempts + result.attempts, subject=subject, **values)
    )
    conn.execute(
        insert(events).values(
            at=now,
            milestone_id=None,
            kind=EventKind.DELIVERY.value,
            actor=None,
            details={
                "message": MESSAGES.get(claim.kind, claim.kind),
                "recipient": claim.recipient,
                "state": values["state"],
                "subject": subject,
                "error": result.error,
                "message_id": claim.message_id,
                "week": claim.week,
                "attempts": result.attempts,
            },
        )
    )


def give_up(conn: Connection, claim: Claim, reason: str, *, now: datetime, claimer: str) -> None:
    """Close a claim that has nobody or nothing left to send to, saying why."""
    result = Result(claim, claim.recipient, Outcome.REFUSED, reason)
    mark(conn, claim, result, subject=None, now=now, claimer=claimer)


def last_digests_sent(conn: Connection) -> dict[str, datetime]:
    """When each recipient's latest digest (a channel's: summary) was sent,
    in one query for all of them."""
    return dict(
        conn.execute(
            select(D.recipient, func.max(D.sent_at))
            .where(D.kind.in_(_WEEKLY), D.state == SENT)
            .group_by(D.recipient)
        ).all()
    )


def _row(kind, recipient, key, message_id, as_of, now, claimer, **extra) -> dict:
    return {
        "kind": kind,
        "recipient": recipient,
        "dedupe_key": key,
        "message_id": message_id,
        "as_of": as_of,
        "state": PENDING,
        "attempts": 0,
        "claimed_by": claimer,
        "claimed_at": now,
        "check_id": None,
        "week": None,
        **extra,
    }


def _insert_if_absent(conn: Connection, row: dict) -> bool:
    dialect_insert: Callable[..., Any]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = (
        dialect_insert(deliveries)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["recipient", "dedupe_key"])
        .returning(D.id)
    )
    # RETURNING, not rowcount: drivers need not report a count for INSERT.
    return conn.execute(statement).first() is not None


def _abandoned(holder: str | None, claimed_at: datetime | None, now: datetime) -> bool:
    if holder is None:
        return True
    host, _, rest = holder.partition(":")
    pid = rest.split(":")[0]
    if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
        return True
    return claimed_at is None or now - claimed_at > LEASE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return True
