"""The daily check as a Prefect flow: ``ukjp-monitor sync`` then ``check`` on a worker.

Loads the configuration (so edits reach the database without anyone running
``sync`` by hand, under ``serve`` as on workers), records status transitions
as of a date and sends the alerts they call for.
A run that could not deliver every alert ends Failed (after being recorded as
failed), so the Prefect UI and any automation on it see what ``health`` sees;
what was not sent stays pending in the ledger for the next run.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task

from flows import io_task_options, open_database
from ukjp_monitor.errors import OperationFailed
from ukjp_monitor.notify import DeliveryReport, Notifier
from ukjp_monitor.service import Monitor
from ukjp_monitor.settings import Settings


@task(name="sync-config", **io_task_options())
def sync_config(monitor: Monitor) -> str:
    summary = monitor.sync().summary()
    get_run_logger().info("synced: %s", summary)
    return summary


@task(name="record-transitions", **io_task_options())
def record_transitions(notifier: Notifier, as_of: date) -> int:
    recorded = notifier.record_transitions(as_of)
    get_run_logger().info("%d transitions recorded as of %s", recorded, as_of)
    return recorded


@task(name="send-alerts", **io_task_options())
def send_alerts(notifier: Notifier) -> DeliveryReport:
    report = notifier.send_alerts()
    get_run_logger().info(
        "alerts: %d sent, %d pending, %d failed", report.sent, report.pending, report.failed
    )
    return report


@flow(name="milestone-check")
def milestone_check(as_of: date | None = None) -> dict[str, int]:
    """Sync the configuration, record status transitions and send the alerts they call for.

    ``as_of`` defaults to today in the programme's time zone. Returns the
    counts: transitions, sent, pending, failed, skipped.
    """
    monitor = Monitor(Settings.from_env(), trigger="flow")
    try:
        open_database(monitor)
        with monitor.recorded("check") as run:
            sync_config(monitor)
            notifier = monitor.notifier()
            run.as_of = as_of = monitor.default_as_of(as_of)
            transitions = record_transitions(notifier, as_of)
            report = send_alerts(notifier)
            run.counts = counts = {"transitions": transitions, **report.counts()}
            run.failed = None if report.ok else report.summary("alert")
    finally:
        monitor.close()
    get_run_logger().info("check as of %s: %s", as_of, report.summary("alert"))
    if not report.ok:
        raise OperationFailed(report.summary("alert"))
    return counts
