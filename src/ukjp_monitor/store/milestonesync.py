"""The milestones part of a sync: each configured milestone inserted or
updated a chunk at a time, its dependencies replaced when their list changed,
and those gone from the config retired, each with its audit event.

Rows are read with Core statements and new rows written in bulk through the
driver (``bulk``), because a funder's portfolio has 100,000 milestones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from ukjp_monitor.config.loader import Config
from ukjp_monitor.config.specs import ConfiguredMilestone
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.store import bulk
from ukjp_monitor.store.audit import Audit
from ukjp_monitor.store.progress import apply_progress, empty_progress
from ukjp_monitor.store.schema import dependencies, milestones

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


#: Milestones are compared and written this many at a time, so that a sync
#: holds one chunk of database rows and audit events, not the portfolio's.
CHUNK = 2000
#: From this many milestones, a first sync checks foreign keys in bulk
#: (``bulk.foreign_keys_checked_at_end``); below it the per-row checks cost
#: a tenth of a second or less, too little to lock the tables for.
BULK_LOAD = 10_000


def sync_milestones(conn, config: Config, now, today, audit: Audit, advance) -> None:
    """Bring the milestones in line with ``config`` inside the caller's
    transaction, recording each change in ``audit``; ``advance(n)`` is told
    each time n more have been written."""
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


def _write_milestones(conn, config: Config, stored, today, audit: Audit, advance) -> None:
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
