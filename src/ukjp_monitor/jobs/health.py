"""Is the monitor itself running on time? A pure judgement of the last runs.

A scheduled run is *overdue* when the schedule fired more than ``GRACE`` ago
and no run of that kind has ended since; a run that ended *failed* is
unhealthy too. ``health`` exits 1 in either case, so any outside monitor
(cron, Healthchecks, a load balancer probe) can watch the watcher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.plan.sendtimes import DigestSchedule, last_due, parse_stored
from ukjp_monitor.store import queries
from ukjp_monitor.store.runs import FAILED, LastRun, latest

#: How late a run may be before it counts as overdue.
GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Health:
    kind: str
    schedule: str | None
    last: LastRun | None
    expected_at: datetime | None  # the latest time the schedule fired, if any
    overdue: bool
    failed: bool
    #: What made the run due at ``expected_at``, when not the schedule: the
    #: digest's latest send time ("08:00 Asia/Tokyo on JP working days").
    due_by: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.overdue or self.failed)


def previous_fire_time(cron: str, timezone: str, now: datetime) -> datetime | None:
    """When ``cron`` (in ``timezone``) last fired at or before ``now``.

    cronsim rather than APScheduler because ``status`` calls this on every
    run and cronsim imports in 5 ms against APScheduler's 50; a test keeps
    the two in agreement on when schedules fire, across DST changes.
    """
    from cronsim import CronSim, CronSimError

    # cronsim's reverse walk starts strictly before its start; cron has
    # minute resolution, so a second later includes a firing at ``now``.
    start = (now + timedelta(seconds=1)).astimezone(ZoneInfo(timezone))
    try:
        return next(CronSim(cron.lower(), start, reverse=True)).astimezone(UTC)
    except (CronSimError, StopIteration):
        return None


def judge(
    kind: str,
    schedule: str | None,
    timezone: str,
    last: LastRun | None,
    now: datetime,
    *,
    watching_since: datetime | None = None,
    due: datetime | None = None,
    due_by: str | None = None,
) -> Health:
    """The health of one kind of run as of ``now``.

    The run was expected when ``schedule`` last fired, or at ``due`` when
    given (the digest: the latest moment a recipient's digest fell due). A
    moment before ``watching_since`` (when the monitor was first synced)
    does not count: a new installation is not late for last Monday.
    """
    expected = due
    if expected is None and schedule:
        expected = previous_fire_time(schedule, timezone, now)
    if expected is not None and watching_since is not None and expected < watching_since:
        expected = None
    overdue = False
    if expected is not None and now - expected > GRACE:
        overdue = last is None or last.started_at < expected - GRACE
    failed = last is not None and last.outcome == FAILED
    return Health(kind, schedule, last, expected, overdue, failed, due_by if due else None)


def judge_runs(engine: Engine, now: datetime) -> list[Health]:
    """The check's and the digest's health as of ``now``, from the runs
    recorded in ``engine``'s database. The check is judged by its schedule,
    the digest by the recipients' send times, both as the last sync stored
    them, so that ``status`` need not read the configuration."""
    with engine.connect() as conn:
        programme = queries.load_programme(conn)
        since = queries.first_event_at(conn)
    last = latest(engine)
    digest_due, due_by = None, None
    if programme.digest_schedule and programme.digest_times:
        schedule = DigestSchedule.from_cron(programme.digest_schedule)
        times = parse_stored(programme.digest_times, schedule)
        digest_due = last_due(times, now)
        latest_time = next((t for t in times if digest_due and t.last(now) == digest_due), None)
        due_by = latest_time.described if latest_time else None
    zone = programme.timezone
    check = judge(
        "check", programme.check_schedule, zone, last.get("check"), now, watching_since=since
    )
    digest = judge(
        "digest",
        programme.digest_schedule,
        zone,
        last.get("digest"),
        now,
        watching_since=since,
        due=digest_due,
        due_by=due_by,
    )
    return [check, digest]


def describe(health: Health, timezone: str) -> str:
    """'check: last ran 2026-11-24 07:00 (completed)' and what is wrong, if anything."""
    zone = ZoneInfo(timezone)
    if health.last is None:
        text = f"{health.kind}: never ran"
    else:
        when = health.last.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        text = f"{health.kind}: last ran {when} ({health.last.outcome})"
        if health.failed and health.last.error:
            text += f": {health.last.error}"
    if health.overdue and health.expected_at is not None:
        due = health.expected_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        text += f"; OVERDUE: scheduled {due} ({health.due_by or health.schedule})"
    return text


def health_record(verdicts: list[Health], timezone: str) -> dict[str, Any]:
    """``health --format json`` (and ``GET /healthz``): ``ok`` overall, and
    each kind's last run, when its schedule last fired, and what is wrong."""
    zone = ZoneInfo(timezone)

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None

    return {
        "ok": all(v.ok for v in verdicts),
        "runs": [
            {
                "kind": v.kind,
                "ok": v.ok,
                "schedule": v.schedule,
                "last_started_at": local(v.last.started_at) if v.last else None,
                "last_outcome": v.last.outcome if v.last else None,
                "last_error": v.last.error if v.last else None,
                "expected_at": local(v.expected_at),
                "due_by": v.due_by,
                "overdue": v.overdue,
                "failed": v.failed,
                "summary": describe(v, timezone),
            }
            for v in verdicts
        ],
    }
