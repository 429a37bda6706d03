"""The use cases, each calling the layers in order: config → database →
evaluation. The command line, the scheduler and the flows all go through here.

``Monitor`` adds to its base (``reading.ReadOnlyMonitor``: the database and the
queries) what writes: sync, check and digests, and progress. Nothing here
imports Prefect or Jinja2.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ukjp_monitor.jobs import progress
from ukjp_monitor.jobs.reading import ReadOnlyMonitor
from ukjp_monitor.jobs.reports import CheckReport, DeliveryReport, RunReport
from ukjp_monitor.plan.meter import Meter, silent
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import queries
from ukjp_monitor.store.db import peek, writer

if TYPE_CHECKING:
    from ukjp_monitor.config.loader import Config
    from ukjp_monitor.jobs.health import Health
    from ukjp_monitor.jobs.notifier import Notifier
    from ukjp_monitor.notify.rendering import Rendered
    from ukjp_monitor.store.sync import SyncReport


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a sync builds and writes the plan.

    A funder's 100,000 milestones are hundreds of thousands of objects that
    live until the sync ends and form no cycles, yet every few thousand new
    ones set off a collection that walks them all: a quarter of a sync's
    time at that size. Whatever cycles are left are collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Monitor(ReadOnlyMonitor):
    """ukjp-monitor as a library: one instance per settings and database."""

    def __init__(self, settings: Settings, *, trigger: str = "cli", meter: Meter = silent):
        super().__init__(settings, meter=meter)
        self.trigger = trigger  # who starts runs: cli, flow or serve (kept with each run)

    # -- configuration ------------------------------------------------------

    def load_config(self) -> Config:
        from ukjp_monitor.config.loader import load_config

        return load_config(self.settings.config_dir, now=self.clock(), meter=self.meter)

    def sync(self, *, force: bool = False) -> SyncReport:
        """Validate the configuration, then load it in one transaction.

        Files byte for byte those of the last sync are not read again (a
        sync of them could change nothing), unless ``force``.
        """
        from ukjp_monitor.config.loader import fingerprint
        from ukjp_monitor.store.sync import SyncReport, synced_fingerprint

        # Taken before reading: a file edited meanwhile is read again next time.
        files = fingerprint(self.settings.config_dir)
        # Peeked at, not opened: files that prove invalid must leave no database behind.
        last = None if force else peek(self.settings.database_url, synced_fingerprint)
        if files is not None and files == last:
            return SyncReport(skipped=True)
        with _no_cycle_collection():
            # The plan is let go inside the pause: collecting resumes
            # without a first pass over 100,000 milestones still held.
            return self._load_and_sync(files, force=force)

    def _load_and_sync(self, files: str | None, *, force: bool) -> SyncReport:
        from ukjp_monitor.store.sync import SyncReport, lock_sync, sync_config

        config = self.load_config()
        now = self.clock()
        today = now.astimezone(ZoneInfo(config.programme.timezone)).date()
        with writer(self.engine).begin() as conn:
            # Asked again under the lock: another sync may have loaded these
            # very files while this one read them (two runs at once).
            if lock_sync(conn) == files and files is not None and not force:
                return SyncReport(skipped=True)
            with self.meter("syncing milestones", len(config.milestones)) as advance:
                return sync_config(
                    conn,
                    config,
                    now=now,
                    today=today,
                    actor=self.settings.actor,
                    fingerprint=files,
                    advance=advance,
                )

    # -- mail -------------------------------------------------------------

    def notifier(self, **options) -> Notifier:
        """The mail side (imports Jinja2 and the mailer, so only when mailing).

        Only monitor.yaml is read: the plan, the programme and its
        workstreams come from the database.
        """
        from ukjp_monitor.jobs.notifier import Notifier

        # Read, not created: check and send have opened the database already
        # (to record their run); a digest preview only reads it.
        with self.existing.connect() as conn:
            programme = queries.load_programme(conn)
            workstreams = queries.load_workstreams(conn)
            japanese = queries.load_workstreams(conn, "ja")
        from ukjp_monitor.config.loader import load_monitor

        monitor = load_monitor(self.settings.config_dir, set(workstreams))
        return Notifier(
            self.engine,
            self.settings,
            programme=programme.name,
            timezone=programme.timezone,
            monitor=monitor,
            clock=self.clock,
            workstream_names=workstreams,
            japanese_names=japanese,
            programme_ja=programme.name_ja,
            calendars=programme.calendars,
            meter=self.meter,
            **options,
        )

    def default_as_of(self, as_of: date | None) -> date:
        if as_of is not None:
            return as_of
        with self.engine.connect() as conn:
            return self.today(queries.load_programme(conn))

    def recorded(self, kind: str, trigger: str | None = None):
        """Record a check or digest run (see ``runs.recorded``)."""
        from ukjp_monitor.store.runs import recorded

        return recorded(self.engine, kind, clock=self.clock, trigger=trigger or self.trigger)

    def check(
        self, *, as_of: date | None = None, notifier: Notifier | None = None, sync: bool = False
    ) -> CheckReport:
        """Record status transitions and send the alerts they call for.

        With ``sync``, load the configuration first, inside the same recorded
        run: a scheduled check whose configuration has gone bad is a failed
        run that ``health`` reports.
        """
        with self.recorded("check") as run:
            if sync:
                self.sync()
            notifier = notifier or self.notifier()
            run.as_of = as_of = self.default_as_of(as_of)
            report = notifier.check(as_of)
            run.counts = report.counts()
            run.failed = None if report.alerts.ok else report.alerts.summary("alert")
        return report

    def preview_digests(
        self, *, as_of: date | None = None, recipients: list[str] | None = None
    ) -> Iterator[tuple[str, Rendered]]:
        """Each chosen recipient's digest, rendered as it is asked for (1,000
        of them are never all in memory); nothing is recorded."""
        with self.meter("reading the digests", None):
            notifier = self.notifier()
            previews = notifier.preview(self.default_as_of(as_of), recipients)
        return ((r.email, rendered) for r, rendered in previews)

    def send_digests(
        self,
        *,
        as_of: date | None = None,
        recipients: list[str] | None = None,
        force: bool = False,
        notifier: Notifier | None = None,
    ) -> DeliveryReport:
        """The digest for ``as_of``'s week (default: each recipient's own
        this week, in their zone), now, to each of ``recipients`` (default
        all) that has not had it: the command line's ``digest --send``,
        whatever the recipients' send times."""
        with self.recorded("digest") as run:
            notifier = notifier or self.notifier()
            run.as_of = self.default_as_of(as_of)
            report = notifier.send_digests(as_of, recipients, force=force)
            run.counts = report.counts()
            run.failed = None if report.ok else report.summary("digest")
        return report

    def send_due_digests(self, *, notifier: Notifier | None = None) -> DeliveryReport:
        """Each recipient's digest whose send time has come this week and
        that has not gone (DESIGN §14): what ``run``, ``serve`` and the
        scheduled flow send, however often they run."""
        with self.recorded("digest") as run:
            notifier = notifier or self.notifier()
            run.as_of = self.default_as_of(None)
            report = notifier.send_due_digests()
            run.counts = report.counts()
            run.failed = None if report.ok else report.summary("digest")
        return report

    def health(self) -> list[Health]:
        """Whether each scheduled kind of run is on time and last ended well
        (``health.judge_runs``)."""
        from ukjp_monitor.jobs.health import judge_runs

        return judge_runs(self.existing, self.clock())

    def run(self, *, as_of: date | None = None) -> RunReport:
        """The main job: sync, check, and this week's digests where they have
        not gone: those whose send time has come, or, for a given ``as_of``
        (a day replayed), every recipient's digest of that day's week."""
        synced = self.sync()
        notifier = self.notifier()
        checked = self.check(as_of=as_of, notifier=notifier)
        if as_of is None:
            digests = self.send_due_digests(notifier=notifier)
        else:
            digests = self.send_digests(as_of=as_of, notifier=notifier)
        return RunReport(synced, checked, digests)

    # -- progress (jobs/progress.py) ------------------------------------------

    def complete(
        self, milestone_id: str, *, on: date, evidence: str | None = None, note: str | None = None
    ) -> None:
        progress.complete(self._recorder(), milestone_id, on=on, evidence=evidence, note=note)

    def forecast(self, milestone_id: str, target: str, *, reason: str | None = None) -> None:
        progress.forecast(self._recorder(), milestone_id, target, reason=reason)

    def cancel(self, milestone_id: str, *, reason: str, on: date | None = None) -> date:
        """Cancel a milestone as of ``on`` (default today, never after it);
        returns the day recorded."""
        return progress.cancel(self._recorder(), milestone_id, reason=reason, on=on)

    def _recorder(self) -> progress.Recorder:
        return progress.Recorder(writer(self.existing), self.clock, self.settings.actor)
