"""The use cases, each calling the layers in order: config → database →
evaluation. The command line, the scheduler and the flows all go through here.

Nothing here imports Prefect or Jinja2; the query path (``assess``, ``show``,
``history``) does not import the config loader either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor import store
from ukjp_monitor.db import open_database, writer
from ukjp_monitor.errors import InputError
from ukjp_monitor.periods import PeriodError, parse_period
from ukjp_monitor.settings import Settings
from ukjp_monitor.status import Assessment, Status, evaluate

if TYPE_CHECKING:
    from ukjp_monitor.config import Config
    from ukjp_monitor.sync import SyncReport


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Standing:
    """The programme's milestones assessed as of one date."""

    programme: store.ProgrammeInfo
    as_of: date
    assessments: list[Assessment]


@dataclass(frozen=True)
class MilestoneReport:
    programme: store.ProgrammeInfo
    assessment: Assessment
    details: store.Details
    events: list[dict[str, Any]]


class Monitor:
    """ukjp-monitor as a library: one instance per settings and database."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utc_now):
        self.settings = settings
        self.clock = clock
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_database(self.settings.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- configuration ------------------------------------------------------

    def load_config(self) -> Config:
        from ukjp_monitor.config import load_config

        return load_config(self.settings.config_dir)

    def sync(self, config: Config | None = None) -> SyncReport:
        """Validate (unless given a config), then load it in one transaction."""
        from ukjp_monitor.sync import sync_config

        config = config or self.load_config()
        now = self.clock()
        today = now.astimezone(ZoneInfo(config.programme.timezone)).date()
        with writer(self.engine).begin() as conn:
            return sync_config(conn, config, now=now, today=today, actor=self.settings.actor)

    # -- queries ------------------------------------------------------------

    def today(self, programme: store.ProgrammeInfo) -> date:
        """Today in the programme's time zone (not the machine's)."""
        return self.clock().astimezone(ZoneInfo(programme.timezone)).date()

    def assess(
        self,
        *,
        as_of: date | None = None,
        workstream: str | None = None,
        status: Status | None = None,
    ) -> Standing:
        """Every live milestone assessed; filters apply after evaluation, so
        dependency risk still sees the whole programme."""
        with self.engine.connect() as conn:
            programme = store.load_programme(conn)
            if workstream is not None:
                known = store.load_workstreams(conn)
                if workstream not in known:
                    raise InputError(
                        f"no workstream has the id {workstream!r}; known: {', '.join(known)}"
                    )
            plan = store.load_plan(conn)
        as_of = as_of or self.today(programme)
        assessments = evaluate(plan, as_of)
        if workstream is not None:
            assessments = [a for a in assessments if a.milestone.workstream == workstream]
        if status is not None:
            assessments = [a for a in assessments if a.status is status]
        return Standing(programme, as_of, assessments)

    def show(self, milestone_id: str, *, as_of: date | None = None) -> MilestoneReport:
        with self.engine.connect() as conn:
            programme = store.load_programme(conn)
            details = store.load_details(conn, milestone_id)
            plan = store.load_plan(conn, include_retired=details.retired)
            events = store.load_events(conn, milestone_id)
        as_of = as_of or self.today(programme)
        assessment = next(a for a in evaluate(plan, as_of) if a.milestone.id == milestone_id)
        return MilestoneReport(programme, assessment, details, events)

    def history(self, milestone_id: str | None = None) -> tuple[store.ProgrammeInfo, list]:
        with self.engine.connect() as conn:
            programme = store.load_programme(conn)
            if milestone_id is not None:
                store.load_details(conn, milestone_id)  # UnknownMilestone if absent
            return programme, store.load_events(conn, milestone_id)

    def export(self, fmt: str, *, as_of: date | None = None) -> str:
        """The programme as an iCalendar feed (``ics``), ``json`` or ``csv``."""
        from ukjp_monitor.export import export

        standing = self.assess(as_of=as_of)
        with self.engine.connect() as conn:
            extras = store.load_extras(conn)
            events = store.load_events(conn)
        return export(standing, fmt, extras, events)

    # -- progress -----------------------------------------------------------

    def complete(
        self, milestone_id: str, *, on: date, evidence: str | None = None, note: str | None = None
    ) -> None:
        with writer(self.engine).begin() as conn:
            today = self.today(store.load_programme(conn))
            if on > today:
                raise InputError(
                    f"the completion date {on} is after today ({today}); "
                    "record a completion once it has happened"
                )
            store.record_completion(
                conn,
                milestone_id,
                on=on,
                evidence=_line(evidence),
                note=_line(note),
                now=self.clock(),
                actor=self.settings.actor,
            )

    def forecast(self, milestone_id: str, target: str, *, reason: str | None = None) -> None:
        try:
            period = parse_period(target)
        except PeriodError as exc:
            raise InputError(f"forecast for {milestone_id}: {exc}") from None
        with writer(self.engine).begin() as conn:
            store.load_programme(conn)
            store.record_forecast(
                conn,
                milestone_id,
                period,
                reason=_line(reason),
                now=self.clock(),
                actor=self.settings.actor,
            )

    def cancel(self, milestone_id: str, *, reason: str) -> None:
        reason = _line(reason)
        if not reason:
            raise InputError("a cancellation needs a reason (--reason TEXT)")
        with writer(self.engine).begin() as conn:
            today = self.today(store.load_programme(conn))
            store.record_cancellation(
                conn,
                milestone_id,
                on=today,
                reason=reason,
                now=self.clock(),
                actor=self.settings.actor,
            )


def _line(text: str | None) -> str | None:
    """Free text from the command line, folded to one line (it may reach a
    mail header later, where a line break would forge one)."""
    if text is None:
        return None
    return " ".join(text.split()) or None
