"""Load a validated config into the database: one transaction, fully audited.

The rules users rely on:

* unchanged config changes nothing (no rows, no events);
* a changed target is a re-baseline event with the old and new target;
* a milestone (or workstream) gone from the config is retired, never deleted,
  and restored if it comes back;
* progress keys in the config (``forecast``, ``completed_on``, ``cancelled``)
  are applied when the config's value *changes* between syncs, so progress
  recorded with the CLI survives re-syncing a config that says nothing new.

Rows are read with Core statements and new rows written in bulk through the
driver (``bulk``), because a funder's portfolio has 100,000 milestones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from ukjp_monitor.config.loader import Config
from ukjp_monitor.config.specs import ConfiguredMilestone
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.sendtimes import stored_send_times
from ukjp_monitor.store import bulk
from ukjp_monitor.store.db import SYNC_LOCK_KEY, lock
from ukjp_monitor.store.progress import apply_progress, empty_progress
from ukjp_monitor.store.schema import dependencies, events, milestones, programme, workstreams

M, D = milestones.c, dependencies.c

_PLAIN_FIELDS = (
    "title",
    "workstream_id",
    "owner",
    "amount",
    "source",
    "notes",
    "title_ja",
    "owner_ja",
    "notes_ja",
    "lead_days",
)


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


#: Milestones are compared and written this many at a time, so that a sync
#: holds one chunk of database rows and audit events, not the portfolio's.
CHUNK = 2000
#: From this many milestones, a first sync checks foreign keys in bulk
#: (``bulk.foreign_keys_checked_at_end``); below it the per-row checks cost less
#: than dropping and adding back the keys.
BULK_LOAD = 10_000


class _Audit:
    """The events a sync records, written in bulk a chunk at a time."""

    def __init__(self, conn: Connection, now: datetime, actor: str | None):
        self.conn, self.now, self.actor = conn, now, actor
        self.pending: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()

    def record(self, kind: EventKind, milestone_id: str | None, **details: Any) -> None:
        name = kind.value
        self.counts[name] += 1
        self.pending.append(
            {
                "at": self.now,
                "milestone_id": milestone_id,
                "kind": name,
                "actor": self.actor,
                "details": details,
            }
        )

    def flush(self, *, unless_under: int = 0) -> None:
        if self.pending and len(self.pending) >= unless_under:
            bulk.insert_rows(self.conn, events, self.pending)
            self.pending = []


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
    audit = _Audit(conn, now, actor)
    _sync_programme(conn, config, now, audit.record)
    _sync_workstreams(conn, config, now)
    _sync_milestones(conn, config, now, today, audit, advance or _nothing)
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


def _sync_milestones(conn, config: Config, now, today, audit: _Audit, advance) -> None:
    stored = {mid: retired for mid, retired in conn.execute(select(M.id, M.retired_at))}
    live = {mid for mid, retired in stored.items() if retired is None}
    specs = config.milestones
    # A first sync of a large portfolio writes tables nobody can read from
    # yet, so their foreign keys are checked once at the end, not per row.
    at_once = (milestones, dependencies) if not stored and len(specs) >= BULK_LOAD else ()
    with bulk.foreign_keys_checked_at_end(conn, at_once):
        _write_milestones(conn, config, stored, today, audit, advance)
    in_config = {spec.id for spec in specs}
    for milestone_id in sorted(live - in_config):
        conn.execute(update(milestones).where(M.id == milestone_id).values(retired_at=now))
        audit.record(EventKind.RETIRED, milestone_id)


def _write_milestones(conn, config: Config, stored, today, audit: _Audit, advance) -> None:
    """Insert or update every configured milestone, a chunk at a time, and
    replace the dependencies that changed."""
    record = audit.record
    specs = config.milestones
    no_progress = empty_progress()
    stale_deps: list[str] = []
    new_deps: list[dict[str, str]] = []
    for start in range(0, len(specs), CHUNK):
        chunk = specs[start : start + CHUNK]
        # Only milestones the database has are read back: a first sync of
        # 100,000 asks nothing, instead of 100 queries that find nothing.
        ids = [spec.id for spec in chunk if spec.id in stored]
        existing: dict[str, dict[str, Any]] = {}
        deps: dict[str, list[str]] = {}
        if ids:
            existing = {
                r["id"]: dict(r)
                for r in conn.execute(select(milestones).where(M.id.in_(ids))).mappings()
            }
            for mid, dep in conn.execute(
                select(D.milestone_id, D.depends_on_id).where(D.milestone_id.in_(ids))
            ):
                deps.setdefault(mid, []).append(dep)
        inserts, updates = [], []
        for position, spec in enumerate(chunk, start):
            wanted = _row_for(spec, position, config.lead_days(spec))
            row = existing.get(spec.id)
            if row is None:
                row = wanted  # a new dict each time, so it can be the row
                row.update(no_progress)
                record(
                    EventKind.ADDED,
                    spec.id,
                    target=wanted["target_text"] or "TBC",
                    workstream=spec.workstream,
                    title=spec.title,
                )
                apply_progress(row, spec, today, record)
                inserts.append(row)
            else:
                changes = _compare(row, wanted, deps.get(spec.id, []), spec, record)
                changes.update(apply_progress(row, spec, today, record))
                if row["retired_at"] is not None:
                    changes["retired_at"] = row["retired_at"] = None
                    record(EventKind.RESTORED, spec.id)
                if changes:
                    updates.append((spec.id, changes))
            old = deps.get(spec.id, [])
            if (old or spec.depends_on) and sorted(old) != sorted(spec.depends_on):
                stale_deps.extend([spec.id] if old else [])
                new_deps.extend(
                    {"milestone_id": spec.id, "depends_on_id": d} for d in spec.depends_on
                )
        bulk.insert_rows(conn, milestones, inserts)
        for milestone_id, changes in updates:
            conn.execute(update(milestones).where(M.id == milestone_id).values(**changes))
        audit.flush(unless_under=CHUNK)
        advance(len(chunk))
    # After every chunk: a dependency may name a milestone added in a later one.
    _replace_dependencies(conn, stale_deps, new_deps)


def _row_for(spec: ConfiguredMilestone, position: int, lead_days: int) -> dict[str, Any]:
    target = spec.target
    return {
        "id": spec.id,
        "title": spec.title,
        "workstream_id": spec.workstream,
        "position": position,
        "owner": spec.owner,
        "amount": spec.amount,
        "source": spec.source,
        "notes": spec.notes,
        "title_ja": spec.title_ja,
        "owner_ja": spec.owner_ja,
        "notes_ja": spec.notes_ja,
        "lead_days": lead_days,
        "target_text": str(target) if target else None,
        "target_start": target.start if target else None,
        "target_end": target.end if target else None,
    }


def _compare(row, wanted, old_deps, spec, record) -> dict[str, Any]:
    changes = {k: v for k, v in wanted.items() if row[k] != v}
    if "target_text" in changes:
        record(
            EventKind.REBASELINED,
            spec.id,
            old=row["target_text"] or "TBC",
            new=wanted["target_text"] or "TBC",
        )
    described = {k: [row[k], v] for k, v in changes.items() if k in _PLAIN_FIELDS}
    if sorted(old_deps) != sorted(spec.depends_on):
        described["depends_on"] = [sorted(old_deps), sorted(spec.depends_on)]
    if described:
        record(EventKind.UPDATED, spec.id, changes=described)
    row.update(changes)
    return changes


def _replace_dependencies(conn, stale: list[str], rows: list[dict[str, str]]) -> None:
    """Replace the dependencies of the milestones whose list changed, in bulk."""
    for start in range(0, len(stale), 500):  # stay under bound-parameter limits
        conn.execute(delete(dependencies).where(D.milestone_id.in_(stale[start : start + 500])))
    bulk.insert_rows(conn, dependencies, rows)
