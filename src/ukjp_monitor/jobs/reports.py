"""What a check or a digest run reports: counts of what was sent, left
pending (retried on the next run) and refused, in one line or as numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ukjp_monitor.plan.records import Outcome, Result

if TYPE_CHECKING:
    from ukjp_monitor.store.sync import SyncReport


@dataclass
class DeliveryReport:
    """What one run sent, left pending (will retry) and saw refused for good."""

    sent: int = 0
    pending: int = 0
    failed: int = 0
    skipped: int = 0
    quiet: int = 0  # digests not sent: a quiet week, and mail.quiet_digest is skip
    waiting: int = 0  # digests whose recipient's send time has not come this week
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.pending or self.failed)

    def add(self, result: Result) -> None:
        if result.outcome is Outcome.SENT:
            self.sent += 1
            return
        if result.outcome is Outcome.REFUSED:
            self.failed += 1
        else:
            self.pending += 1
        self.errors.append(f"{result.recipient}: {result.error}")

    def extend(self, other: DeliveryReport) -> None:
        """Add what ``other`` (another kind of message of the same run) reports."""
        self.sent += other.sent
        self.pending += other.pending
        self.failed += other.failed
        self.skipped += other.skipped
        self.quiet += other.quiet
        self.waiting += other.waiting
        self.errors.extend(other.errors)

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "pending": self.pending,
            "failed": self.failed,
            "skipped": self.skipped,
        }

    def summary(self, noun: str) -> str:
        text = f"{self.sent} {noun}{'s' if self.sent != 1 else ''} sent"
        if self.skipped:
            text += f", {self.skipped} already sent this week"
        if self.quiet:
            text += f", {self.quiet} not sent (a quiet week; mail.quiet_digest is skip)"
        if self.waiting:
            whose = "its" if self.waiting == 1 else "their"
            text += f", {self.waiting} waiting for {whose} send time"
        if self.pending:
            text += f", {self.pending} pending (will retry on the next run)"
        if self.failed:
            text += f", {self.failed} refused"
        if self.errors:
            text += f"; first error: {self.errors[0]}"
        return text


@dataclass
class CheckReport:
    as_of: date
    transitions: int
    alerts: DeliveryReport

    def counts(self) -> dict[str, int]:
        return {"transitions": self.transitions, **self.alerts.counts()}


@dataclass(frozen=True)
class RunReport:
    """What ``run`` did: the sync, the check and its alerts, the digests."""

    sync: SyncReport
    check: CheckReport
    digests: DeliveryReport

    @property
    def ok(self) -> bool:
        return self.check.alerts.ok and self.digests.ok

    def record(self) -> dict[str, Any]:
        """What ``run --format json`` prints, for the monitoring that watches it."""

        def delivered(report: DeliveryReport) -> dict[str, Any]:
            return {
                **report.counts(),
                "quiet": report.quiet,
                "waiting": report.waiting,
                "errors": list(report.errors),
            }

        return {
            "ok": self.ok,
            "sync": {"skipped": self.sync.skipped, "changes": dict(self.sync.counts)},
            "check": {
                "as_of": self.check.as_of.isoformat(),
                "transitions": self.check.transitions,
                "alerts": delivered(self.check.alerts),
            },
            "digests": delivered(self.digests),
        }
