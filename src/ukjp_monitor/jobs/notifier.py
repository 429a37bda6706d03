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

``Notifier`` sends the digests; its base, ``alerting.Alerting``, is wired
for both and does the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.config.monitorfile import MonitorFile
from ukjp_monitor.errors import UnknownRecipient
from ukjp_monitor.jobs.alerting import Alerting
from ukjp_monitor.jobs.loading import Loaded
from ukjp_monitor.jobs.reports import DeliveryReport
from ukjp_monitor.jobs.sending import Composer, claimed_digests, digest_audience, digest_of
from ukjp_monitor.notify.compose import Digest
from ukjp_monitor.notify.rendering import Rendered
from ukjp_monitor.plan.records import Recipient
from ukjp_monitor.plan.sendtimes import DigestSchedule, SendTime, iso_week
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import ledger
from ukjp_monitor.store.db import writer


class Wanted(NamedTuple):
    """A digest to claim: for whom, for which ISO week, told as of which day."""

    email: str
    week: str
    as_of: date


class Notifier(Alerting):
    """Check and digest for one database and configuration."""

    def __init__(
        self, engine: Engine, settings: Settings, *, timezone: str, monitor: MonitorFile, **wiring
    ):
        """``wiring``: the rest of ``Alerting``'s keyword arguments."""
        super().__init__(engine, settings, timezone=timezone, monitor=monitor, **wiring)
        self.quiet_digest = monitor.mail.quiet_digest
        self.schedule = DigestSchedule.from_cron(monitor.schedules.digest)
        self.send_times = monitor.send_times(timezone)

    # -- digest ---------------------------------------------------------------

    def preview(
        self, as_of: date, recipients: list[str] | None = None
    ) -> Iterator[tuple[Recipient, Rendered]]:
        """Each recipient's digest as it would be sent now, rendered as it is
        asked for; nothing is recorded. An unknown recipient is refused at once."""
        chosen = self._chosen(recipients)
        loaded = self.loader.digests([(e, as_of) for e in chosen])
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
            quiet = self.quiet_digest != "skip"
            skipped += self.channels.claim_summaries(summaries_as_of, force=force, quiet=quiet)
        report = self.send_claimed_digests()
        report.skipped, report.quiet = skipped, len(wanted) - len(loud)
        return report

    def _worth_sending(self, wanted: list[Wanted]) -> list[Wanted]:
        """Who gets a digest this week: everyone, unless ``mail.quiet_digest``
        is ``skip``, and then only those whose week was not quiet."""
        if self.quiet_digest != "skip" or not wanted:
            return wanted
        pairs = [(w.email, w.as_of) for w in wanted]
        loaded = self.loader.digests(pairs)
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
            self.loader,
            claims,
            self.recipients,
            programme=self.programme,
            render=self.renderer.digest,
        )

    def _digest(self, loaded: Loaded, email: str, as_of: date) -> Digest:
        return digest_of(loaded, self.recipients[email], as_of, programme=self.programme)

    def _chosen(self, recipients: list[str] | None) -> list[str]:
        if not recipients:
            return list(self.recipients)
        unknown = [r for r in recipients if r not in self.recipients]
        if unknown:
            raise UnknownRecipient(unknown[0], self.recipients)
        return list(recipients)
