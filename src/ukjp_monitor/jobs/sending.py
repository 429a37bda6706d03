"""Sending what this process holds: take over, load, compose and render, deliver, mark.

The one path for alerts and digests. Messages are built only for ledger rows
this process holds. What they need is loaded from the store once the claims
are known, in the caller's thread; from there until the ledger is marked,
composing and rendering are pure work over that data (``Composer``). Claims
go out in an order that lets neighbours with the same content share one
rendering and one letter, and each outcome is marked right after the server
answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Engine

from ukjp_monitor.jobs.loading import Loaded, Loader
from ukjp_monitor.jobs.reports import DeliveryReport
from ukjp_monitor.notify.alerts import Alert, compose_alert
from ukjp_monitor.notify.compose import Digest, compose_digest
from ukjp_monitor.notify.delivery import deliver, open_transport
from ukjp_monitor.notify.letters import Letter
from ukjp_monitor.notify.rendering import Rendered
from ukjp_monitor.notify.transport import Outgoing, Transport
from ukjp_monitor.plan.meter import Meter, silent
from ukjp_monitor.plan.records import Recipient, Result
from ukjp_monitor.settings import Settings
from ukjp_monitor.store import ledger
from ukjp_monitor.store.db import writer

GONE = "no longer a recipient in monitor.yaml"
NOTHING_TO_TELL = "nothing to tell: they no longer follow any milestone it reports"


@dataclass(frozen=True)
class Composer:
    """How claims become messages, once what they need has been loaded.

    ``audience(claim)`` is a sortable key: claims with equal keys get the
    same message, which ``render(claim)`` builds for any one of them (None
    when there is nothing to tell them). Neither touches the database.
    """

    audience: Callable[[ledger.Claim], tuple]
    render: Callable[[ledger.Claim], Any]  # Rendered (mail) or Post (channels) or None


def alert_composer(
    loaded: Loaded,
    readers: Mapping[str, Recipient],
    *,
    programme: str,
    render: Callable[[Alert], Any],
) -> Composer:
    """The alerts for claims of ``readers`` (recipients or channels), from
    what was ``loaded`` for them: each reader's lines are the claimed
    check's transitions they follow now, and everyone following the same
    things shares one message; ``render`` turns an alert into it."""

    def audience(claim: ledger.Claim) -> tuple:
        return (claim.as_of, claim.check_id or 0, repr(readers[claim.recipient].audience))

    def compose(claim: ledger.Claim) -> Any:
        reader = readers[claim.recipient]
        alert = compose_alert(
            programme=programme,
            recipient=reader,
            as_of=claim.as_of,
            lines=loaded.check(claim.check_id).lines_for(reader),
            assessments=loaded.assessments[claim.as_of],
        )
        return render(alert) if alert else None

    return Composer(audience, compose)


def digest_of(loaded: Loaded, reader: Recipient, as_of: date, *, programme: str) -> Digest:
    """``reader``'s digest as of ``as_of``, from what was ``loaded`` for it:
    what stands, and what changed since their last digest."""
    since = loaded.since(reader.email, as_of)
    return compose_digest(
        programme=programme,
        recipient=reader,
        as_of=as_of,
        since=since,
        assessments=loaded.assessments[as_of],
        changes=loaded.changes[since],
        evidence=loaded.evidence,
    )


def digest_audience(loaded: Loaded, reader: Recipient, as_of: date) -> tuple:
    """Readers with the same key get the same digest: the same day, the same
    "changes since", and the same things followed."""
    return (as_of, loaded.since(reader.email, as_of), repr(reader.audience))


def digest_composer(
    loaded: Loaded,
    readers: Mapping[str, Recipient],
    *,
    programme: str,
    render: Callable[[Digest], Any],
) -> Composer:
    """The digests for claims of ``readers`` (recipients, or channels for
    their summaries): readers with the same ``digest_audience`` share one
    message; ``render`` turns a digest into it."""

    def audience(claim: ledger.Claim) -> tuple:
        return digest_audience(loaded, readers[claim.recipient], claim.as_of)

    def compose(claim: ledger.Claim) -> Any:
        reader = readers[claim.recipient]
        return render(digest_of(loaded, reader, claim.as_of, programme=programme))

    return Composer(audience, compose)


def claimed_digests(
    loader: Loader,
    claims: list[ledger.Claim],
    readers: Mapping[str, Recipient],
    *,
    programme: str,
    render: Callable[[Digest], Any],
) -> Composer:
    """``digest_composer`` for ``claims``, with what they need loaded first
    (in the caller's thread) by ``loader``."""
    wanted = [(claim.recipient, claim.as_of) for claim in claims]
    loaded = loader.digests(wanted)
    return digest_composer(loaded, readers, programme=programme, render=render)


class Sender:
    """Sends one kind of message (alerts or digests) for one claimer.

    By mail; a subclass (``jobs.channels``) changes the transport
    (``open_transport``) and how a rendering is addressed (``prepare``,
    ``address``), nothing else.
    """

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        sender: str,
        list_id: str,
        recipients: Mapping[str, Recipient],
        clock: Callable[[], datetime],
        claimer: str,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        meter: Meter = silent,
    ):
        self.engine, self.settings, self.sender = engine, settings, sender
        self.list_id, self.meter = list_id, meter
        self.recipients, self.clock, self.claimer = recipients, clock, claimer
        self.attempts, self.backoff, self.sleep = attempts, backoff, sleep

    def send(self, kind: str, compose: Callable[[list[ledger.Claim]], Composer]) -> DeliveryReport:
        """Send every message of ``kind`` this process holds or that was left pending.

        ``compose`` is called once, in this thread, with the claims to send;
        it loads what they need and returns the pure ``Composer`` for them.
        """
        claims = self._held(kind)
        # Someone taken out of monitor.yaml since the claim gets nothing more.
        dropped = [(c, GONE) for c in claims if c.recipient not in self.recipients]
        claims = [c for c in claims if c.recipient in self.recipients]
        report = DeliveryReport()
        if claims:
            composer = compose(claims)
            claims.sort(key=composer.audience)  # neighbours share one rendering
            with self.meter(f"sending {self.noun(kind)}", len(claims)) as advance:
                self._deliver(claims, composer, report, dropped, advance)
        with writer(self.engine).begin() as conn:
            for claim, reason in dropped:  # closed, not failures of this run
                ledger.give_up(conn, claim, reason, now=self.clock(), claimer=self.claimer)
        return report

    def _held(self, kind: str) -> list[ledger.Claim]:
        """Take over what was abandoned; what this process then holds, oldest first."""
        with writer(self.engine).begin() as conn:
            ledger.take_over_abandoned(conn, now=self.clock(), claimer=self.claimer, kind=kind)
            return ledger.held_by(conn, self.claimer, kind)

    def _deliver(
        self,
        claims: list[ledger.Claim],
        composer: Composer,
        report: DeliveryReport,
        dropped: list[tuple[ledger.Claim, str]],
        advance: Callable[[int], None],
    ) -> None:
        """Send each claim's message in turn, marking each outcome as soon as
        the server gives it (and telling ``advance``)."""
        subjects: dict[str, str] = {}

        def on_result(result: Result) -> None:
            report.add(result)
            claim = cast(ledger.Claim, result.key)  # the key each Outgoing carries
            with writer(self.engine).begin() as conn:
                ledger.mark(
                    conn,
                    claim,
                    result,
                    subject=subjects[claim.message_id],
                    now=self.clock(),
                    claimer=self.claimer,
                )
            advance(1)

        # Each message is rendered here, in this thread, just before it goes:
        # rendering ahead in a second thread was no faster (BENCHMARKS.md,
        # "Sending: the thread and the switch interval").
        with closing(self.open_transport()) as transport:
            deliver(
                transport,
                self._outgoing(claims, composer, subjects, dropped, advance),
                attempts=self.attempts,
                backoff=self.backoff,
                sleep=self.sleep,
                on_result=on_result,
            )

    def _outgoing(
        self,
        claims: list[ledger.Claim],
        composer: Composer,
        subjects: dict[str, str],
        dropped: list[tuple[ledger.Claim, str]],
        advance: Callable[[int], None],
    ) -> Iterator[Outgoing]:
        """Each claim's message, built as it is asked for, never all at once
        (a thousand copies of a large digest need not be in memory together):
        one rendering and one letter for each run of claims with the same
        audience. Records each subject, and each claim with nothing to tell."""
        audience: tuple | None = None
        rendered: Any = None
        prepared: Any = None
        for claim in claims:
            key = composer.audience(claim)
            if key != audience:
                audience, rendered = key, composer.render(claim)
                prepared = self.prepare(rendered) if rendered else None
            if rendered is None or prepared is None:  # they no longer follow what it reports
                dropped.append((claim, NOTHING_TO_TELL))
                advance(1)
                continue
            subjects[claim.message_id] = rendered.subject
            message = self.address(prepared, claim)
            yield Outgoing(key=claim, recipient=claim.recipient, message=message)

    def noun(self, kind: str) -> str:
        """What a progress bar calls the messages of ``kind``."""
        return f"{kind}s"

    def open_transport(self) -> Transport:
        """Where the messages go: the SMTP server or the outbox."""
        return open_transport(self.settings)

    def prepare(self, rendered: Any) -> Any:
        """What one rendering becomes once, for every claim that shares it."""
        return self._letter(rendered)

    def address(self, prepared: Any, claim: ledger.Claim) -> Any:
        """The message for ``claim``: the letter addressed to its recipient."""
        return prepared.to(
            claim.recipient,
            name=self.recipients[claim.recipient].name,
            message_id=claim.message_id,
            date=self.clock(),
        )

    def _letter(self, rendered: Rendered) -> Letter:
        return Letter(
            sender=self.sender,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            list_id=self.list_id,
        )
