"""The monitor's database and its query use cases: what ``status``, ``show``,
``history`` and ``export`` ask, read and evaluated without writing anything.

``ReadOnlyMonitor`` is the base of ``monitor.Monitor``, which adds what writes. Like
it, nothing here imports Prefect or Jinja2, and the query path (``assess``,
``show``, ``history``) does not import the config loader either.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.errors import InputError
from ukjp_monitor.jobs.standing import MilestoneReport, Standing
from ukjp_monitor.plan.meter import Meter, silent
from ukjp_monitor.plan.status import Status, evaluate
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import queries
from ukjp_monitor.store.db import open_database, open_existing


class ReadOnlyMonitor:
    """One settings' database, and the queries on it."""

    def __init__(self, settings: Settings, *, meter: Meter = silent):
        self.settings = settings
        self.clock = settings.clock  # the one clock (DESIGN §11)
        self.meter = meter  # how long work shows how far it has got (plan/meter.py)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The database, created or upgraded as needed (for what writes)."""
        if self._engine is None:
            self._engine = open_database(self.settings.database_url)
        return self._engine

    @property
    def existing(self) -> Engine:
        """The database for what needs one synced already (queries, progress):
        one that is not there is NotSynced, naming where it was looked for,
        and is not created."""
        if self._engine is None:
            self._engine = open_existing(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- queries ------------------------------------------------------------

    def programme(self) -> queries.ProgrammeInfo:
        """The programme as last synced; NotSynced before the first sync."""
        with self.existing.connect() as conn:
            return queries.load_programme(conn)

    def workstream_names(self) -> dict[str, str]:
        """Each workstream's id and name, in the configured order."""
        with self.existing.connect() as conn:
            return queries.load_workstreams(conn)

    def today(self, programme: queries.ProgrammeInfo) -> date:
        """Today in the programme's time zone (not the machine's)."""
        return self.clock().astimezone(ZoneInfo(programme.timezone)).date()

    def assess(
        self,
        *,
        as_of: date | None = None,
        workstream: str | None = None,
        status: Status | None = None,
        owner: str | None = None,
    ) -> Standing:
        """Every live milestone assessed; filters apply after evaluation, so
        dependency risk still sees the whole programme."""
        with self.existing.connect() as conn:
            programme = queries.load_programme(conn)
            if workstream is not None:
                known = queries.load_workstreams(conn)
                if workstream not in known:
                    raise InputError(
                        f"no workstream has the id {workstream!r}; known: {', '.join(known)}"
                    )
            plan = queries.load_plan(conn)
        as_of = as_of or self.today(programme)
        assessments = evaluate(plan, as_of)
        if workstream is not None:
            assessments = [a for a in assessments if a.milestone.workstream == workstream]
        if status is not None:
            assessments = [a for a in assessments if a.status is status]
        if owner is not None:
            assessments = [a for a in assessments if a.milestone.owner == owner]
        return Standing(programme, as_of, assessments)

    def show(self, milestone_id: str, *, as_of: date | None = None) -> MilestoneReport:
        with self.existing.connect() as conn:
            programme = queries.load_programme(conn)
            details = queries.load_details(conn, milestone_id)
            plan = queries.load_plan(conn, include_retired=details.retired)
            events = queries.load_events(conn, milestone_id)
        as_of = as_of or self.today(programme)
        assessment = next(a for a in evaluate(plan, as_of) if a.milestone.id == milestone_id)
        return MilestoneReport(programme, assessment, details, events)

    def history(
        self, milestone_id: str | None = None, *, since: date | None = None
    ) -> tuple[queries.ProgrammeInfo, Iterator[dict[str, Any]]]:
        """The programme and its audit trail, oldest first (one milestone's,
        and from the start of the day ``since`` in the programme's time zone,
        when given), read as it is consumed. An unknown ``milestone_id`` is
        refused at once, before anything is read."""
        with self.existing.connect() as conn:
            programme = queries.load_programme(conn)
            if milestone_id is not None:
                queries.load_details(conn, milestone_id)  # UnknownMilestone if absent
        start = None
        if since is not None:
            start = datetime.combine(since, time(), ZoneInfo(programme.timezone))
        return programme, self._events(milestone_id, start)

    def _events(self, milestone_id: str | None, since: datetime | None) -> Iterator[dict[str, Any]]:
        with self.existing.connect() as conn:
            yield from queries.stream_events(conn, milestone_id, since=since)

    def export(self, fmt: str, *, as_of: date | None = None, workstream: str | None = None) -> str:
        """The programme (or one ``workstream``) as an iCalendar feed (``ics``),
        ``json`` or ``csv``."""
        from ukjp_monitor.jobs.export import export

        standing = self.assess(as_of=as_of, workstream=workstream)
        with self.existing.connect() as conn:
            extras = queries.load_extras(conn)
            tally = queries.event_tally(conn) if fmt == "ics" else {}
        return export(standing, fmt, extras, tally, meter=self.meter)
