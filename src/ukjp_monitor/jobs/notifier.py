"""Telling people: record transitions, claim, load, compose and render, deliver, mark.

The order is what makes delivery once-only. Transitions and the ledger rows
that alert about them are written in one transaction; messages are built only
for rows this process holds, and each outcome is marked right after the
server answers (``sending``). A run that dies anywhere leaves rows pending,
and the next run takes them over and sends them with the same Message-ID.

Alerts and digests go through the one ``Sender``. For each, what the claimed
messages need is read first, in the caller's thread (``loading``); composing
and rendering are then pure functions of that data, and nothing the store
said is kept from one send to the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.config.monitorfile import MonitorFile
from ukjp_monitor.errors import UnknownRecipient
from ukjp_monitor.jobs.channels import Channels
from ukjp_monitor.jobs.loading import Loaded, load_alerts, load_digests
from ukjp_monitor.jobs.meter import Meter, silent
from ukjp_monitor.jobs.reports import CheckReport, DeliveryReport
from ukjp_monitor.jobs.sending import (
    Composer,
    Sender,
    alert_composer,
    claimed_digests,
    digest_audience,
    digest_of,
)
from ukjp_monitor.notify.channels import ChannelWriter
from ukjp_monitor.notify.compose import Digest
from ukjp_monitor.notify.letters import list_id
from ukjp_monitor.notify.rendering import Rendered, Renderer
from ukjp_monitor.notify.routing import alerted
from ukjp_monitor.plan.records import Recipient, message_id_domain
from ukjp_monitor.plan.sendtimes import DigestSchedule, SendTime, iso_week
from ukjp_monitor.plan.status import Assessment, evaluate
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import ledger, queries, transitions
from ukjp_monitor.store.db import writer


class Wanted(NamedTuple):
    """A digest to claim: for whom, for which ISO week, told as of which day."""

    email: str
    week: str
    as_of: date


class Notifier:
    """Check and digest for one database and configuration."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        programme: str,
        timezone: str,
        monitor: MonitorFile,
        clock: Callable[[], datetime],
        workstream_names: Mapping[str, str] | None = None,
        japanese_names: Mapping[str, str] | None = None,
        programme_ja: str | None = None,
        calendars: tuple[str, ...] = (),
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        meter: Meter = silent,
    ):
        self.engine, self.settings, self.clock = engine, settings, clock
        self.meter = meter
        self.programme, self.mail = programme, monitor.mail
        self.timezone = ZoneInfo(timezone)
        self.claimer = ledger.claimer_id()
        self.renderer = Renderer(
            subject_prefix=monitor.mail.subject_prefix,
            marking=monitor.mail.marking,
            template_dir=settings.templates_dir,
            base_url=monitor.web.base_url,
            workstream_names=workstream_names,
            japanese_names=japanese_names,
            programme_ja=programme_ja,
            calendars=calendars,
        )
        self.recipients = {r.email: r for r in monitor.recipients}
        self.schedule = DigestSchedule.from_cron(monitor.schedules.digest)
        self.send_times = monitor.send_times(timezone)
        self.domain = message_id_domain(monitor.mail.sender)
        self._send = Sender(
            engine,
            settings,
            sender=monitor.mail.sender,
            list_id=list_id(programme, monitor.mail.sender),
            recipients=self.recipients,
            clock=clock,
            claimer=self.claimer,
            attempts=attempts,
            backoff=backoff,
            sleep=sleep,
            meter=meter,
        ).send
        self.channels = Channels(
            engine,
            settings,
            channels=monitor.channels,
            programme=programme,
            timezone=self.timezone,
            writer=ChannelWriter(
                base_url=monitor.web.base_url, programme_ja=programme_ja, calendars=calendars
            ),
            clock=clock,
            claimer=self.claimer,
            domain=self.domain,
            attempts=attempts,
            backoff=backoff,
            sleep=sleep,
            meter=meter,
        )

    # -- check ----------------------------------------------------------------

    def check(self, as_of: date) -> CheckReport:
        """Record transitions as of ``as_of`` and send the alerts they call for."""
        recorded = self.record_transitions(as_of)
        return CheckReport(as_of, recorded, self.send_alerts())

    def record_transitions(self, as_of: date) -> int:
        """Store what moved since the last check and claim one alert for each
        recipient who follows something in it, in one transaction; returns
        how many transitions were recorded."""
        with self.meter("assessing milestones", None):
            assessments = self._assess(as_of)
        now = self.clock()
        with writer(self.engine).begin() as conn, self.meter("recording transitions", None):
            transitions.lock_checks(conn)
            check_id, lines = transitions.record_transitions(
                conn, assessments, as_of=as_of, now=now
            )
            if check_id is not None:
                ledger.claim_alerts(
                    conn,
                    alerted(self.recipients.values(), lines),
                    check_id=check_id,
                    as_of=as_of,
                    now=now,
                    claimer=self.claimer,
                    domain=self.domain,
                )
                self.channels.claim_alerts(conn, lines, check_id=check_id, as_of=as_of)
        return len(lines)

    def send_alerts(self) -> DeliveryReport:
        """Send every alert this process holds or that was left pending, by
        mail, then to the channels: one report for both."""
        report = self._send(ledger.ALERT, self._alerts)
        report.extend(self.channels.send_alerts())
        return report

    def _alerts(self, claims: list[ledger.Claim]) -> Composer:
        # An alert's lines are the claimed check's transitions that the
        # recipient follows now: everyone following the same things gets the same.
        loaded = load_alerts(self.engine, claims, timezone=self.timezone)
        return alert_composer(
            loaded, self.recipients, programme=self.programme, render=self.renderer.alert
        )

    # -- digest ---------------------------------------------------------------

    def preview(
        self, as_of: date, recipients: list[str] | None = None
    ) -> Iterator[tuple[Recipient, Rendered]]:
        """Each recipient's digest as it would be sent now, rendered as it is
        asked for; nothing is recorded. An unknown recipient is refused at once."""
        chosen = self._chosen(recipients)
        loaded = load_digests(self.engine, [(e, as_of) for e in chosen], timezone=self.timezone)
        return self._previews(chosen, loaded, as_of)

    def _previews(
        self, chosen: list[str], loaded: Loaded, as_of: date
    ) -> Iterator[tuple[Recipient, Rendered]]:
        shared: tuple[tuple, Rendered] | None = None
        for email in chosen:
            audience = digest_audience(loaded, self.recipients[email], as_of)
            if shared is None or shared[0] != audience:
                shared = (audience, self.renderer.digest(self._digest(loaded, email, as_of)))
            yield self.recipients[email], shared[1]

    def send_digests(
        self,
        as_of: date | None = None,
        recipients: list[str] | None = None,
        *,
        force: bool = False,
    ) -> DeliveryReport:
        """This week's digest to each recipient that has not had it (all, with
        ``force``), now, whatever their send time: the week and the day of
        ``as_of`` for everyone, or, without it, each recipient's own today
        in their own zone."""
        chosen, now = self._chosen(recipients), self.clock()
        days = {
            email: as_of or now.astimezone(ZoneInfo(self.send_times[email].zone)).date()
            for email in chosen
        }
        wanted = [Wanted(email, iso_week(day), day) for email, day in days.items()]
        summaries = as_of or now.astimezone(self.timezone).date()
        return self._send_wanted(wanted, None if recipients else summaries, force=force)

    def send_due_digests(self) -> DeliveryReport:
        """Each recipient's digest whose send time has come this week
        (``plan.sendtimes``) and that has not gone, and the channels'
        summaries once the schedule's own time has: what ``run``, ``serve``
        and the flow send. A recipient not yet due is counted as waiting."""
        now = self.clock()
        wanted = [
            Wanted(email, due.week, due.as_of)
            for email, send_time in self.send_times.items()
            if (due := send_time.due(now))
        ]
        own = SendTime(self.schedule, self.schedule.at, self.timezone.key).due(now)
        report = self._send_wanted(wanted, own.as_of if own else None, force=False)
        report.waiting = len(self.send_times) - len(wanted)
        return report

    def next_digest(self, email: str) -> datetime:
        """When ``email``'s next digest falls due, from now."""
        return self.send_times[email].next(self.clock())

    def _send_wanted(
        self, wanted: list[Wanted], summaries_as_of: date | None, *, force: bool
    ) -> DeliveryReport:
        """Claim and send the digests ``wanted`` (those of a quiet week left
        out when ``mail.quiet_digest`` is ``skip``), with the channels'
        summaries as of ``summaries_as_of`` (None: none)."""
        loud = self._worth_sending(wanted)
        skipped = self.claim_digests(loud, force=force) if loud else 0
        if summaries_as_of is not None:
            quiet = self.mail.quiet_digest != "skip"
            skipped += self.channels.claim_summaries(summaries_as_of, force=force, quiet=quiet)
        report = self.send_claimed_digests()
        report.skipped, report.quiet = skipped, len(wanted) - len(loud)
        return report

    def _worth_sending(self, wanted: list[Wanted]) -> list[Wanted]:
        """Who gets a digest this week: everyone, unless ``mail.quiet_digest``
        is ``skip``, and then only those whose week was not quiet."""
        if self.mail.quiet_digest != "skip" or not wanted:
            return wanted
        pairs = [(w.email, w.as_of) for w in wanted]
        loaded = load_digests(self.engine, pairs, timezone=self.timezone)
        return [w for w in wanted if not self._digest(loaded, w.email, w.as_of).quiet]

    def claim_digests(self, wanted: list[Wanted], *, force: bool = False) -> int:
        """Claim each wanted digest for its week; returns how many had gone already."""
        now, skipped = self.clock(), 0
        with writer(self.engine).begin() as conn:
            for email, week, as_of in wanted:
                claimed = ledger.claim_digest(
                    conn,
                    email,
                    week=week,
                    as_of=as_of,
                    now=now,
                    claimer=self.claimer,
                    domain=self.domain,
                    force=force,
                )
                skipped += not claimed
        return skipped

    def send_claimed_digests(self) -> DeliveryReport:
        """Compose, render and send every digest this process holds or that
        was left pending, then every channel's weekly summary."""
        report = self._send(ledger.DIGEST, self._digests)
        report.extend(self.channels.send_summaries())
        return report

    def _digests(self, claims: list[ledger.Claim]) -> Composer:
        return claimed_digests(
            self.engine,
            claims,
            self.recipients,
            timezone=self.timezone,
            programme=self.programme,
            render=self.renderer.digest,
        )

    def _digest(self, loaded: Loaded, email: str, as_of: date) -> Digest:
        return digest_of(loaded, self.recipients[email], as_of, programme=self.programme)

    # -- shared ---------------------------------------------------------------

    def _assess(self, as_of: date) -> list[Assessment]:
        with self.engine.connect() as conn:
            return evaluate(queries.load_plan(conn), as_of)

    def _chosen(self, recipients: list[str] | None) -> list[str]:
        if not recipients:
            return list(self.recipients)
        unknown = [r for r in recipients if r not in self.recipients]
        if unknown:
            raise UnknownRecipient(unknown[0], self.recipients)
        return list(recipients)
