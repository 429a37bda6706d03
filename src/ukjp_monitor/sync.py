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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from ukjp_monitor import bulk
from ukjp_monitor.config import Config
from ukjp_monitor.history import EventKind
from ukjp_monitor.schema import dependencies, events, milestones, programme, workstreams
from ukjp_monitor.specs import MilestoneSpec
from ukjp_monitor.store import current_forecast_text, forecast_columns

_PLAIN_FIELDS = ("title", "workstream_id", "owner", "amount", "source", "notes", "lead_days")


@dataclass
class SyncReport:
    """What a sync changed, counted by event kind."""

    counts: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return sum(self.counts.values()) > 0

    def summary(self) -> str:
        if not self.changed:
            return "nothing changed"
        return ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items()))


def sync_config(
    conn: Connection, config: Config, *, now: datetime, today: date, actor: str | None
) -> SyncReport:
    """Bring the database in line with ``config`` inside the caller's transaction."""
    new_events: list[dict[str, Any]] = []

    def record(kind: EventKind, milestone_id: str | None, **details: Any) -> None:
        new_events.append(
            {
                "at": now,
                "milestone_id": milestone_id,
                "kind": kind.value,
                "actor": actor,
                "details": details,
            }
        )

    _sync_programme(conn, config, now, record)
    _sync_workstreams(conn, config, now)
    _sync_milestones(conn, config, now, today, record)
    if new_events:
        bulk.insert_rows(conn, events, new_events)
        conn.execute(update(programme).where(programme.c.id == 1).values(synced_at=now))
    return SyncReport(Counter(e["kind"] for e in new_events))


def _sync_programme(conn, config: Config, now, record) -> None:
    wanted = {
        "name": config.programme.name,
        "timezone": config.programme.timezone,
        "source": config.programme.source,
        "lead_days": config.monitor.lead_days,
        "check_schedule": config.monitor.schedules.check,
        "digest_schedule": config.monitor.schedules.digest,
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
    wanted = {w.id: (i, w.name) for i, w in enumerate(config.workstreams)}
    for wid, (position, name) in wanted.items():
        row = existing.get(wid)
        if row is None:
            conn.execute(insert(workstreams).values(id=wid, name=name, position=position))
        elif (row.name, row.position, row.retired_at) != (name, position, None):
            conn.execute(
                update(workstreams)
                .where(workstreams.c.id == wid)
                .values(name=name, position=position, retired_at=None)
            )
    for wid, row in existing.items():
        if wid not in wanted and row.retired_at is None:
            conn.execute(update(workstreams).where(workstreams.c.id == wid).values(retired_at=now))


def _sync_milestones(conn, config: Config, now, today, record) -> None:
    existing = {r["id"]: dict(r) for r in conn.execute(select(milestones)).mappings()}
    deps: dict[str, list[str]] = {}
    for dep in conn.execute(select(dependencies.c.milestone_id, dependencies.c.depends_on_id)):
        deps.setdefault(dep.milestone_id, []).append(dep.depends_on_id)
    inserts, updates = [], []
    for position, spec in enumerate(config.milestones):
        wanted = _row_for(spec, position, config.lead_days(spec))
        row = existing.get(spec.id)
        if row is None:
            row = {**wanted, **_empty_progress()}
            record(
                EventKind.ADDED,
                spec.id,
                target=wanted["target_text"] or "TBC",
                workstream=spec.workstream,
                title=spec.title,
            )
            changes = _apply_progress(row, spec, today, record)
            inserts.append(row)
        else:
            changes = _compare(row, wanted, deps.get(spec.id, []), spec, record)
            changes.update(_apply_progress(row, spec, today, record))
            if row["retired_at"] is not None:
                changes["retired_at"] = row["retired_at"] = None
                record(EventKind.RESTORED, spec.id)
            if changes:
                updates.append((spec.id, changes))
    bulk.insert_rows(conn, milestones, inserts)
    for milestone_id, changes in updates:
        conn.execute(update(milestones).where(milestones.c.id == milestone_id).values(**changes))
    _sync_dependencies(conn, config, deps)
    in_config = {spec.id for spec in config.milestones}
    for milestone_id, row in existing.items():
        if milestone_id not in in_config and row["retired_at"] is None:
            conn.execute(
                update(milestones).where(milestones.c.id == milestone_id).values(retired_at=now)
            )
            record(EventKind.RETIRED, milestone_id)


def _row_for(spec: MilestoneSpec, position: int, lead_days: int) -> dict[str, Any]:
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
        "lead_days": lead_days,
        "target_text": str(target) if target else None,
        "target_start": target.start if target else None,
        "target_end": target.end if target else None,
    }


def _empty_progress() -> dict[str, Any]:
    return {
        **forecast_columns(None, reforecast=False),
        "completed_on": None,
        "cancelled_on": None,
        "cfg_forecast": None,
        "cfg_completed_on": None,
        "cfg_cancelled": False,
        "retired_at": None,
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


def _apply_progress(row, spec: MilestoneSpec, today: date, record) -> dict[str, Any]:
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


def _sync_dependencies(conn, config: Config, old: dict[str, list[str]]) -> None:
    """Replace the dependencies of every milestone whose list changed, in bulk."""
    changed = [s for s in config.milestones if sorted(old.get(s.id, [])) != sorted(s.depends_on)]
    stale = [s.id for s in changed if old.get(s.id)]
    for start in range(0, len(stale), 500):  # stay under bound-parameter limits
        conn.execute(
            delete(dependencies).where(dependencies.c.milestone_id.in_(stale[start : start + 500]))
        )
    rows = [{"milestone_id": s.id, "depends_on_id": dep} for s in changed for dep in s.depends_on]
    bulk.insert_rows(conn, dependencies, rows)
