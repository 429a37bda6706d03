"""The weekly digest as a Prefect flow: ``ukjp-monitor digest --send`` on a worker.

Claims this ISO week's digest for each recipient, then sends what it holds;
the ledger, not the scheduler, makes a second run in the same week send
nothing. With ``send=False`` it renders the digests and logs their subjects,
recording nothing. A run that could not deliver every digest ends Failed.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task

from flows import io_task_options, open_database
from ukjp_monitor.errors import OperationFailed
from ukjp_monitor.notify import DeliveryReport, Notifier
from ukjp_monitor.service import Monitor
from ukjp_monitor.settings import Settings


@task(name="claim-digests", **io_task_options())
def claim_digests(notifier: Notifier, as_of: date) -> int:
    skipped = notifier.claim_digests(as_of)
    get_run_logger().info("%d recipients already had this week's digest", skipped)
    return skipped


@task(name="send-digests", **io_task_options())
def send_claimed_digests(notifier: Notifier) -> DeliveryReport:
    report = notifier.send_claimed_digests()
    get_run_logger().info(
        "digests: %d sent, %d pending, %d failed", report.sent, report.pending, report.failed
    )
    return report


@task(name="preview-digests", **io_task_options())
def preview_digests(monitor: Monitor, as_of: date | None) -> list[tuple[str, str]]:
    previews = monitor.preview_digests(as_of=as_of)
    for email, rendered in previews:
        get_run_logger().info("would send to %s: %s", email, rendered.subject)
    return [(email, rendered.subject) for email, rendered in previews]


@flow(name="weekly-digest")
def weekly_digest(as_of: date | None = None, send: bool = True) -> dict[str, int]:
    """Send this week's digest to each recipient that has not had it.

    ``as_of`` defaults to today in the programme's time zone. Returns the
    counts (sent, pending, failed, skipped), or ``previewed`` when not sending.
    """
    monitor = Monitor(Settings.from_env(), trigger="flow")
    try:
        open_database(monitor)
        if not send:
            return {"previewed": len(preview_digests(monitor, as_of))}
        report = send_digests(monitor, as_of)
    finally:
        monitor.close()
    get_run_logger().info("digest: %s", report.summary("digest"))
    if not report.ok:
        raise OperationFailed(report.summary("digest"))
    return report.counts()


def send_digests(monitor: Monitor, as_of: date | None) -> DeliveryReport:
    """Claim, then send, inside one recorded digest run."""
    with monitor.recorded("digest") as run:
        notifier = monitor.notifier()
        run.as_of = as_of = monitor.default_as_of(as_of)
        skipped = claim_digests(notifier, as_of)
        report = send_claimed_digests(notifier)
        report.skipped = skipped
        run.counts = report.counts()
        run.failed = None if report.ok else report.summary("digest")
    return report
