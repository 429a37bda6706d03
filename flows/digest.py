"""The weekly digest as a Prefect flow, run on a worker.

Claims this ISO week's digest for each recipient whose send time has come
(``Monitor.send_due_digests``, one recorded digest run), then sends what it
holds; the ledger, not the scheduler, makes a second run in the same week
send nothing. Given ``as_of``, it sends that day's week's digest to every
recipient at once, as ``ukjp-monitor digest --send --as-of`` does. With
``send=False`` it renders the digests and logs their subjects, recording
nothing. A run that could not deliver every digest ends Failed.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task

from flows import io_task_options, open_database
from ukjp_monitor.errors import OperationFailed
from ukjp_monitor.jobs.flowrun import flow_settings
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.jobs.reports import DeliveryReport


@task(name="send-digests", **io_task_options())
def send_digests(monitor: Monitor, as_of: date | None) -> DeliveryReport:
    due = as_of is None  # scheduled: each recipient at their send time
    report = monitor.send_due_digests() if due else monitor.send_digests(as_of=as_of)
    get_run_logger().info(
        "digests: %d sent, %d pending, %d failed, %d already sent this week, %d not due yet",
        report.sent,
        report.pending,
        report.failed,
        report.skipped,
        report.waiting,
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
    """Send this week's digest to each recipient whose send time has come
    and who has not had it; with ``as_of``, to every recipient at once.
    Returns the counts (sent, pending, failed, skipped), or ``previewed`` when not sending.
    """
    monitor = Monitor(flow_settings(), trigger="flow")
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
