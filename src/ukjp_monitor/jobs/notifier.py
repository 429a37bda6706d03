"""Telling people: record transitions, claim, render, deliver, mark.

The order is what makes delivery once-only. Transitions and the ledger rows
that alert about them are written in one transaction; messages are built only
for rows this process holds, and each outcome is marked right after the
server answers (``sending``). A run that dies anywhere leaves rows pending,
and the next run takes them over and sends them with the same Message-ID.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.config.specs import MonitorFile
from ukjp_monitor.errors import InputError
from ukjp_monitor.jobs.reports import CheckReport, DeliveryReport
from ukjp_monitor.jobs.sending import Sender
from ukjp_monitor.notify.alerts import compose_alert
from ukjp_monitor.notify.compose import Digest, compose_digest, iso_week
from ukjp_monitor.notify.letters import list_id
from ukjp_monitor.notify.rendering import Rendered, Renderer
from ukjp_monitor.notify.routing import CheckLines, alerted
from ukjp_monitor.plan.records import Recipient, message_id_domain
from ukjp_monitor.plan.status import Assessment, evaluate
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import changes, ledger, queries, transitions
from ukjp_monitor.store.db import writer


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
    ):
        self.engine, self.settings, self.clock = engine, settings, clock
        self.programme, self.mail = programme, monitor.mail
        self.timezone = ZoneInfo(timezone)
        # Caches for one notifier's life (one run): rendering is the costly
        # part, and recipients who follow the same workstreams share it.
        # Only the latest rendering is kept: messages go out grouped by
        # audience (see ``_send``), so memory stays a few messages deep.
        # Rendering runs in ``_send``'s producer thread, the only user of
        # these caches while it runs.
        self._rendered: tuple[tuple, Rendered | None] | None = None
        self._evaluated: dict[date, list[Assessment]] = {}
        self._changed: dict[date, list] = {}
        self._check: CheckLines | None = None  # the latest check's lines, for alerts
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
        ).send

    # -- check ----------------------------------------------------------------

    def check(self, as_of: date) -> CheckReport:
        """Record transitions as of ``as_of`` and send the alerts they call for."""
        recorded = self.record_transitions(as_of)
        return CheckReport(as_of, recorded, self.send_alerts())

    def record_transitions(self, as_of: date) -> int:
        """Store what moved since the last check and claim one alert for each
        recipient who follows something in it, in one transaction; returns
        how many transitions were recorded."""
        assessments = self._assess(as_of)
        now = self.clock()
        with writer(self.engine).begin() as conn:
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
        return len(lines)

    def send_alerts(self) -> DeliveryReport:
        """Send every alert this process holds or that was left pending."""
        return self._send(ledger.ALERT, self._alert_messages)

    def _alert_messages(self, claim: ledger.Claim) -> Rendered | None:
        # The lines are the claimed check's transitions that the recipient
        # follows now; everyone following the same things shares one rendering.
        recipient = self.recipients[claim.recipient]
        key = ("alert", claim.check_id, recipient.audience)
        if self._rendered is None or self._rendered[0] != key:
            alert = compose_alert(
                programme=self.programme,
                recipient=recipient,
                as_of=claim.as_of,
                lines=self._checked(claim.check_id).lines_for(recipient),
                assessments=self._assessments(claim.as_of),
            )
            self._rendered = (key, self.renderer.alert(alert) if alert else None)
        return self._rendered[1]

    def _checked(self, check_id: int | None) -> CheckLines:
        if self._check is None or self._check.check_id != check_id:
            with self.engine.connect() as conn:
                lines = transitions.load_check_lines(conn, check_id) if check_id else []
            self._check = CheckLines(check_id, [line for line in lines if line.alertable])
        return self._check

    # -- digest ---------------------------------------------------------------

    def preview(
        self, as_of: date, recipients: list[str] | None = None
    ) -> Iterator[tuple[Recipient, Rendered]]:
        """Each recipient's digest as it would be sent now; nothing is recorded."""
        last_sent = self._last_digests_sent()
        for email in self._chosen(recipients):
            yield self.recipients[email], self._digest_for(email, as_of, last_sent)

    def send_digests(
        self, as_of: date, recipients: list[str] | None = None, *, force: bool = False
    ) -> DeliveryReport:
        """This week's digest to each recipient that has not had it (all, with ``force``)."""
        chosen = self._chosen(recipients)
        loud = self._worth_sending(chosen, as_of)
        skipped = self.claim_digests(as_of, loud, force=force) if loud else 0
        report = self.send_claimed_digests()
        report.skipped, report.quiet = skipped, len(chosen) - len(loud)
        return report

    def _worth_sending(self, chosen: list[str], as_of: date) -> list[str]:
        """Who gets a digest this week: everyone, unless ``mail.quiet_digest``
        is ``skip``, and then only those whose week was not quiet."""
        if self.mail.quiet_digest != "skip":
            return chosen
        last_sent = self._last_digests_sent()
        return [e for e in chosen if not self._compose_digest(e, as_of, last_sent).quiet]

    def claim_digests(
        self, as_of: date, recipients: list[str] | None = None, *, force: bool = False
    ) -> int:
        """Claim this week's digest for each recipient; returns how many already had it."""
        chosen, week, now = self._chosen(recipients), iso_week(as_of), self.clock()
        skipped = 0
        with writer(self.engine).begin() as conn:
            for email in chosen:
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
        """Compose, render and send every digest this process holds or that was left pending."""
        # Read once, before any of these is marked sent: each recipient's
        # "changes since" starts from their previous digest, not this one.
        last_sent = self._last_digests_sent()
        return self._send(
            ledger.DIGEST,
            lambda claim: self._digest_for(claim.recipient, claim.as_of, last_sent),
        )

    def _last_digests_sent(self) -> dict[str, datetime]:
        with self.engine.connect() as conn:
            return ledger.last_digests_sent(conn)

    def _digest_for(self, email: str, as_of: date, last_sent: dict[str, datetime]) -> Rendered:
        """The recipient's digest, rendered once per audience.

        "Changes since" starts on the day (in the programme's time zone) of
        the recipient's last digest, so everyone who got last week's digest
        the same day, and follows the same workstreams, shares one rendering.
        """
        recipient = self.recipients[email]
        since = self._since(email, as_of, last_sent)
        key = ("digest", recipient.audience, as_of, since)
        cached = self._rendered
        if cached is not None and cached[0] == key and cached[1] is not None:
            return cached[1]
        rendered = self.renderer.digest(self._compose_digest(email, as_of, last_sent))
        self._rendered = (key, rendered)
        return rendered

    def _since(self, email: str, as_of: date, last_sent: dict[str, datetime]) -> date:
        last = last_sent.get(email)
        return self._local_date(last) if last else as_of - timedelta(days=7)

    def _compose_digest(self, email: str, as_of: date, last_sent: dict[str, datetime]) -> Digest:
        since = self._since(email, as_of, last_sent)
        return compose_digest(
            programme=self.programme,
            recipient=self.recipients[email],
            as_of=as_of,
            since=since,
            assessments=self._assessments(as_of),
            changes=self._changes(since),
        )

    def _assessments(self, as_of: date) -> list[Assessment]:
        if as_of not in self._evaluated:
            self._evaluated[as_of] = self._assess(as_of)
        return self._evaluated[as_of]

    def _changes(self, since: date):
        if since not in self._changed:
            start = datetime.combine(since, datetime.min.time(), tzinfo=self.timezone)
            with self.engine.connect() as conn:
                self._changed[since] = changes.changes_since(conn, start)
        return self._changed[since]

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    # -- shared ---------------------------------------------------------------

    def _assess(self, as_of: date) -> list[Assessment]:
        with self.engine.connect() as conn:
            return evaluate(queries.load_plan(conn), as_of)

    def _chosen(self, recipients: list[str] | None) -> list[str]:
        if not recipients:
            return list(self.recipients)
        unknown = [r for r in recipients if r not in self.recipients]
        if unknown:
            raise InputError(
                f"{unknown[0]} is not a recipient in monitor.yaml; recipients: "
                + ", ".join(self.recipients)
            )
        return list(recipients)
