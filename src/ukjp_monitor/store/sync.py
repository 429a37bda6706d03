"""Load a validated config into the database: one transaction, fully audited.

The rules users rely on:

* unchanged config changes nothing (no rows, no events);
* a changed target is a re-baseline event with the old and new target;
* a milestone (or workstream) gone from the config is retired, never deleted,
  and restored if it comes back;
* progress keys in the config (``forecast``, ``completed_on``, ``cancelled``)
  are applied when the config's value *changes* between syncs, so progress
  recorded with the CLI survives re-syncing a config that says nothing new.

This module syncs the programme and its workstreams and ties the sync
together; the milestones are written by ``milestonesync``, and every event
goes through the buffer in ``audit``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from ukjp_monitor.config.loader import Config
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.sendtimes import stored_send_times
from ukjp_monitor.store.audit import Audit
from ukjp_monitor.store.db import SYNC_LOCK_KEY, lock
from ukjp_monitor.store.milestonesync import sync_milestones
from ukjp_monitor.store.schema import programme, workstreams


@dataclass
class SyncReport:
    """What a sync changed, counted by event kind; ``skipped`` when the
    files were those of the last sync, so they were not read at all."""

    counts: Counter = field(default_factory=Counter)
    skipped: bool = False

    @property
    def changed(self) -> bool:
        return sum(self.counts.values()) > 0

    def summary(self) -> str:
        if self.skipped:
            return "nothing changed (the configuration files are those of the last sync)"
        if not self.changed:
            return "nothing changed"
        return ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items()))


def sync_config(
    conn: Connection,
    config: Config,
    *,
    now: datetime,
    today: date,
    actor: str | None,
    fingerprint: str | None = None,
    advance: Callable[[int], None] | None = None,
) -> SyncReport:
    """Bring the database in line with ``config`` inside the caller's transaction.

    ``fingerprint`` (``config.fingerprint`` of the files, taken before they
    were read) is kept, for ``synced_fingerprint`` to compare next time.
    ``advance(n)`` is told each time n more milestones have been written.
    """
    lock_sync(conn)
    audit = Audit(conn, now, actor)
    _sync_programme(conn, config, now, audit.record)
    _sync_workstreams(conn, config, now)
    sync_milestones(conn, config, now, today, audit, advance or _nothing)
    audit.flush()
    done: dict[str, Any] = {"synced_at": now} if audit.counts else {}
    if fingerprint != synced_fingerprint(conn):
        done["config_sha256"] = fingerprint
    if done:
        conn.execute(update(programme).where(programme.c.id == 1).values(**done))
    return SyncReport(audit.counts)


def lock_sync(conn: Connection) -> str | None:
    """Wait for any other sync to end, then return the fingerprint it left.

    Two syncs of a new database at once would both find no programme and
    both insert it (PostgreSQL refuses the second with a duplicate key).
    Holding the lock for the rest of the transaction makes the second wait,
    then compare against what the first committed. Call in a writer
    transaction; ``sync_config`` takes it too (taking it twice is harmless).
    """
    lock(conn, SYNC_LOCK_KEY)
    return synced_fingerprint(conn)


def synced_fingerprint(conn: Connection) -> str | None:
    """The fingerprint of the files the last sync read; None before the first."""
    return conn.execute(select(programme.c.config_sha256).where(programme.c.id == 1)).scalar()


def _sync_programme(conn, config: Config, now, record) -> None:
    wanted = {
        "name": config.programme.name,
        "name_ja": config.programme.name_ja,
        "calendars": ",".join(config.programme.calendars) or None,
        "timezone": config.programme.timezone,
        "source": config.programme.source,
        "lead_days": config.monitor.lead_days,
        "check_schedule": config.monitor.schedules.check,
        "digest_schedule": config.monitor.schedules.digest,
        "digest_times": stored_send_times(
            config.monitor.send_times(config.programme.timezone).values()
        )
        or None,
    }
    row = conn.execute(select(programme).where(programme.c.id == 1)).mappings().first()
    if row is None:
        conn.execute(insert(programme).values(id=1, synced_at=now, **wanted))
        return
    changes = {k: [row[k], v] for k, v in wanted.items() if row[k] != v}
    if changes:
        conn.execute(update(programme).where(programme.c.id == 1).values(**wanted))
        record(EventKind.PROGRAMME, None, changes=changes)


def _sync_workstreams(conn, config: Config, now) -> None:
    existing = {r.id: r for r in conn.execute(select(workstreams))}
    wanted = {w.id: (i, w.name, w.name_ja) for i, w in enumerate(config.workstreams)}
    for wid, (position, name, name_ja) in wanted.items():
        row = existing.get(wid)
        values = {"name": name, "name_ja": name_ja, "position": position}
        if row is None:
            conn.execute(insert(workstreams).values(id=wid, **values))
        elif (row.name, row.name_ja, row.position, row.retired_at) != (
            name,
            name_ja,
            position,
            None,
        ):
            conn.execute(
                update(workstreams).where(workstreams.c.id == wid).values(**values, retired_at=None)
            )
    for wid, row in existing.items():
        if wid not in wanted and row.retired_at is None:
            conn.execute(update(workstreams).where(workstreams.c.id == wid).values(retired_at=now))


def _nothing(n: int) -> None:
    pass
