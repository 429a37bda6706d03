"""What a ``Notifier`` is made of, and its check.

``Alerting`` is the base of ``notifier.Notifier``: it wires the renderer, the
mail ``Sender`` and the channels for one database and monitor.yaml, and
checks: records the transitions since the last check and claims the alerts
they call for in one transaction, then sends them (``sending``). The
digests, and what only they need (the send times), are ``Notifier``'s own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.config.monitorfile import MonitorFile
from ukjp_monitor.jobs.channels import Channels
from ukjp_monitor.jobs.loading import Loader
from ukjp_monitor.jobs.reports import CheckReport, DeliveryReport
from ukjp_monitor.jobs.sending import Composer, Sender, alert_composer
from ukjp_monitor.notify.channels import ChannelWriter
from ukjp_monitor.notify.letters import list_id
from ukjp_monitor.notify.rendering import Renderer
from ukjp_monitor.notify.routing import alerted
from ukjp_monitor.plan.meter import Meter, silent
from ukjp_monitor.plan.records import message_id_domain
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import ledger, transitions
from ukjp_monitor.store.db import writer


class Alerting:
    """The means of telling people, for one database and configuration, and the check."""

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
        self.engine, self.clock, self.meter = engine, clock, meter
        self.programme = programme
        self.timezone = ZoneInfo(timezone)
        #: one reading of the plan for a check's transitions and its alerts
        self.loader = Loader(engine, self.timezone)
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
            loader=self.loader,
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
        try:
            recorded = self.record_transitions(as_of)
            return CheckReport(as_of, recorded, self.send_alerts())
        finally:
            # What the check read is not kept for what follows it (a run's digests).
            self.loader.forget()

    def record_transitions(self, as_of: date) -> int:
        """Store what moved since the last check and claim one alert for each
        recipient who follows something in it, in one transaction; returns
        how many transitions were recorded."""
        with self.meter("assessing milestones", None):
            assessments = self.loader.portfolio(as_of).assessments
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
        loaded = self.loader.alerts(claims)
        return alert_composer(
            loaded, self.recipients, programme=self.programme, render=self.renderer.alert
        )
