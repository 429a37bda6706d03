"""Reading the programme back: the programme, its workstreams, the plan ready
for evaluation, a milestone's details and the audit trail. Progress reported
on the CLI is written by ``recording``.

Reads use Core selects of plain columns, never ORM objects per row: ``status``
over 100,000 milestones must cost little more than reading the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from ukjp_monitor.errors import NotSynced, UnknownMilestone
from ukjp_monitor.plan.periods import Period, period_from_bounds
from ukjp_monitor.plan.status import Milestone as Plan
from ukjp_monitor.store.engine import describe_database
from ukjp_monitor.store.schema import dependencies, events, milestones, programme, workstreams

M = milestones.c


@dataclass(frozen=True)
class ProgrammeInfo:
    name: str
    timezone: str
    source: str | None
    lead_days: int
    synced_at: datetime
    check_schedule: str | None = None
    digest_schedule: str | None = None
    name_ja: str | None = None
    calendars: tuple[str, ...] = ()  # programme.calendars
    #: The recipients' distinct digest send times (``sendtimes.parse_stored``).
    digest_times: str | None = None


@dataclass(frozen=True)
class Details:
    """What ``show`` adds to a milestone beyond what evaluation needs."""

    workstream_name: str
    amount: str | None
    source: str | None
    notes: str | None
    retired: bool


def load_programme(conn: Connection) -> ProgrammeInfo:
    row = conn.execute(select(programme).where(programme.c.id == 1)).mappings().first()
    if row is None:
        raise NotSynced(describe_database(conn.engine.url))
    return ProgrammeInfo(
        row["name"],
        row["timezone"],
        row["source"],
        row["lead_days"],
        row["synced_at"],
        row["check_schedule"],
        row["digest_schedule"],
        row["name_ja"],
        tuple(row["calendars"].split(",")) if row["calendars"] else (),
        row["digest_times"],
    )


def load_workstreams(conn: Connection, language: str = "en") -> dict[str, str]:
    """Active workstream ids to names (in Japanese, where given, for ``ja``),
    in config order."""
    name: ColumnElement[str] = workstreams.c.name
    if language == "ja":
        name = func.coalesce(workstreams.c.name_ja, workstreams.c.name)
    rows = conn.execute(
        select(workstreams.c.id, name)
        .where(workstreams.c.retired_at.is_(None))
        .order_by(workstreams.c.position)
    )
    return dict(rows.all())


_PLAN_COLUMNS = (
    M.id,
    M.title,
    M.workstream_id,
    M.target_text,
    M.target_start,
    M.target_end,
    M.lead_days,
    M.forecast_text,
    M.forecast_start,
    M.forecast_end,
    M.reforecast,
    M.completed_on,
    M.cancelled_on,
    M.owner,
    M.source,
    M.title_ja,
    M.owner_ja,
)


def load_plan(
    conn: Connection, *, ids: list[str] | None = None, include_retired: bool = False
) -> list[Plan]:
    """Milestones ready for evaluation, in workstream then config order."""
    query = (
        select(*_PLAN_COLUMNS)
        .join(workstreams, workstreams.c.id == M.workstream_id)
        .order_by(workstreams.c.position, M.position)
    )
    if not include_retired:
        query = query.where(M.retired_at.is_(None))
    if ids is not None:
        query = query.where(M.id.in_(ids))
    depends: dict[str, list[str]] = {}
    dep_query = select(dependencies.c.milestone_id, dependencies.c.depends_on_id)
    if ids is not None:
        dep_query = dep_query.where(dependencies.c.milestone_id.in_(ids))
    for milestone_id, depends_on_id in conn.execute(dep_query):
        depends.setdefault(milestone_id, []).append(depends_on_id)
    # Portfolios reuse a handful of windows ("2026-Q3", "FY2027"): one Period
    # per distinct window rather than two per row.
    periods: dict[tuple, Period | None] = {}

    def period(text: str | None, start: date | None, end: date | None) -> Period | None:
        key = (text, start, end)
        if key not in periods:
            periods[key] = period_from_bounds(text, start, end)
        return periods[key]

    no_deps: tuple[str, ...] = ()
    return [
        Plan(
            r[0],  # id
            r[1],  # title
            r[2],  # workstream
            period(r[3], r[4], r[5]),  # target
            r[6],  # lead_days
            period(r[7], r[8], r[9]),  # forecast
            r[10],  # reforecast
            r[11],  # completed_on
            r[12],  # cancelled_on
            tuple(sorted(depends[r[0]])) if r[0] in depends else no_deps,
            r[13],  # owner
            r[14],  # source
            r[15],  # title_ja
            r[16],  # owner_ja
        )
        for r in conn.execute(query)
    ]


def load_details(conn: Connection, milestone_id: str) -> Details:
    row = conn.execute(
        select(workstreams.c.name, M.amount, M.source, M.notes, M.retired_at)
        .join(workstreams, workstreams.c.id == M.workstream_id)
        .where(M.id == milestone_id)
    ).first()
    if row is None:
        raise UnknownMilestone(milestone_id, live_ids(conn))
    return Details(row[0], row[1], row[2], row[3], row[4] is not None)


def live_ids(conn: Connection) -> list[str]:
    """The ids of the milestones in the plan (not retired), for "did you mean"."""
    return list(conn.execute(select(M.id).where(M.retired_at.is_(None))).scalars())


def load_extras(conn: Connection) -> dict[str, dict[str, Any]]:
    """Owner, amount, source and notes of every live milestone, for exports."""
    rows = conn.execute(
        select(M.id, M.owner, M.amount, M.source, M.notes).where(M.retired_at.is_(None))
    )
    return {r[0]: {"owner": r[1], "amount": r[2], "source": r[3], "notes": r[4]} for r in rows}


def first_event_at(conn: Connection) -> datetime | None:
    """When the monitor started watching: its first recorded event."""
    return conn.execute(select(func.min(events.c.at))).scalar()


def load_events(conn: Connection, milestone_id: str | None = None) -> list[dict[str, Any]]:
    """The audit trail, oldest first; one milestone's when ``milestone_id`` is given."""
    return list(stream_events(conn, milestone_id))


def stream_events(
    conn: Connection, milestone_id: str | None = None, *, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """``load_events`` (from the instant ``since`` on, if given) a thousand
    rows at a time, so that 200,000 events never sit in memory at once."""
    E = events.c
    query = select(E.at, E.milestone_id, E.kind, E.actor, E.details)
    if milestone_id is not None:
        query = query.where(E.milestone_id == milestone_id)
    if since is not None:
        query = query.where(E.at >= since)
    rows = conn.execution_options(yield_per=1000).execute(query.order_by(E.at, E.id))
    for row in rows.mappings():
        yield dict(row)


def event_tally(conn: Connection) -> dict[str, tuple[int, datetime]]:
    """For each milestone with a history, how many events it has and when the
    last was: what a calendar feed needs of 200,000 events, counted by the database."""
    E = events.c
    query = (
        select(E.milestone_id, func.count(), func.max(E.at))
        .where(E.milestone_id.is_not(None))
        .group_by(E.milestone_id)
    )
    return {row[0]: (row[1], row[2]) for row in conn.execute(query)}
