"""Telling chat channels: the alerts and the weekly summary, under the mail's ledger.

A channel is claimed, sent and marked as a recipient is (``sending``), at
its address ``channel:NAME``: its alert about a check is claimed in the
transaction that records the check's transitions, its summary once per
ISO week; what is pending goes on a later run, what is refused is recorded
and not tried again. Only the transport differs (``AppriseTransport``),
and what is kept: the ledger and the history hold the channel's name and
the post's title, never its URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from ukjp_monitor.jobs.loading import Loaded, Loader
from ukjp_monitor.jobs.reports import DeliveryReport
from ukjp_monitor.jobs.sending import (
    Composer,
    Sender,
    alert_composer,
    claimed_digests,
    digest_of,
)
from ukjp_monitor.notify.apprise_transport import AppriseTransport
from ukjp_monitor.notify.channels import ChannelWriter, Post
from ukjp_monitor.notify.compose import Digest
from ukjp_monitor.notify.routing import alerted
from ukjp_monitor.notify.transport import Transport
from ukjp_monitor.plan.meter import Meter, silent
from ukjp_monitor.plan.records import Channel, TransitionLine
from ukjp_monitor.plan.sendtimes import iso_week
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import ledger
from ukjp_monitor.store.db import writer


class ChannelSender(Sender):
    """The one ``Sender``, posting through Apprise instead of mailing."""

    def __init__(self, *args: Any, urls: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.urls = urls

    def noun(self, kind: str) -> str:
        return f"{kind}s to channels"

    def open_transport(self) -> Transport:
        return AppriseTransport(self.urls, self.settings.environ)

    def prepare(self, rendered: Any) -> Post:
        return rendered

    def address(self, prepared: Any, claim: ledger.Claim) -> Post:
        return prepared.to(claim.message_id)


class Channels:
    """The channels of one monitor.yaml: claim their messages, and send them."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        channels: Iterable[Channel],
        programme: str,
        loader: Loader,
        writer: ChannelWriter,
        clock: Callable[[], datetime],
        claimer: str,
        domain: str,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        meter: Meter = silent,
    ):
        self.engine, self.clock, self.claimer, self.domain = engine, clock, claimer, domain
        self.programme, self.loader, self.writer = programme, loader, writer
        # Keyed by address; each one's reader is the Recipient that routing knows.
        self.readers = {c.address: c.reader for c in channels}
        self._send = ChannelSender(
            engine,
            settings,
            sender="",
            list_id="",
            recipients=self.readers,
            clock=clock,
            claimer=claimer,
            attempts=attempts,
            backoff=backoff,
            sleep=sleep,
            meter=meter,
            urls={c.address: c.url for c in channels},
        ).send

    def claim_alerts(
        self, conn: Connection, lines: list[TransitionLine], *, check_id: int, as_of: date
    ) -> None:
        """In the caller's transaction (the one recording the check): one
        alert for each channel that follows something in ``lines``."""
        ledger.claim_alerts(
            conn,
            alerted(self.readers.values(), lines),
            check_id=check_id,
            as_of=as_of,
            now=self.clock(),
            claimer=self.claimer,
            domain=self.domain,
            kind=ledger.CHANNEL_ALERT,
        )

    def send_alerts(self) -> DeliveryReport:
        """Post every channel alert this process holds or that was left pending."""
        return self._send(ledger.CHANNEL_ALERT, self._alerts)

    def _alerts(self, claims: list[ledger.Claim]) -> Composer:
        loaded = self.loader.alerts(claims)
        return alert_composer(
            loaded, self.readers, programme=self.programme, render=self.writer.alert
        )

    def claim_summaries(self, as_of: date, *, force: bool = False, quiet: bool = True) -> int:
        """Claim this week's summary for each channel; returns how many had it.

        Without ``quiet`` (``mail.quiet_digest: skip``), a channel whose week
        was quiet gets none, as a recipient gets no digest.
        """
        week, now, skipped = iso_week(as_of), self.clock(), 0
        addresses = list(self.readers) if quiet else self._loud(as_of)
        with writer(self.engine).begin() as conn:
            for address in addresses:
                skipped += not ledger.claim_digest(
                    conn,
                    address,
                    week=week,
                    as_of=as_of,
                    now=now,
                    claimer=self.claimer,
                    domain=self.domain,
                    force=force,
                    kind=ledger.CHANNEL_SUMMARY,
                )
        return skipped

    def _loud(self, as_of: date) -> list[str]:
        wanted = [(address, as_of) for address in self.readers]
        loaded = self.loader.digests(wanted)
        return [a for a in self.readers if not self._digest(loaded, a, as_of).quiet]

    def send_summaries(self) -> DeliveryReport:
        """Post every weekly summary this process holds or that was left pending."""
        return self._send(ledger.CHANNEL_SUMMARY, self._summaries)

    def _summaries(self, claims: list[ledger.Claim]) -> Composer:
        return claimed_digests(
            self.loader,
            claims,
            self.readers,
            programme=self.programme,
            render=self.writer.summary,
        )

    def _digest(self, loaded: Loaded, address: str, as_of: date) -> Digest:
        """The channel's digest, which its summary sums up."""
        return digest_of(loaded, self.readers[address], as_of, programme=self.programme)
