"""The daily check as a Prefect flow: ``ukjp-monitor sync`` then ``check`` on a worker.

Loads the configuration (so edits reach the database without anyone running
``sync`` by hand, under ``serve`` as on workers), records status transitions
as of a date and sends the alerts they call for: ``Monitor.check`` with
``sync=True``, one recorded check run.
A run that could not deliver every alert ends Failed (after being recorded as
failed), so the Prefect UI and any automation on it see what ``health`` sees;
what was not sent stays pending in the ledger for the next run.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task

from flows import io_task_options, open_database
from ukjp_monitor.errors import OperationFailed
from ukjp_monitor.jobs.flowrun import flow_settings
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.jobs.reports import CheckReport


@task(name="sync-and-check", **io_task_options())
def sync_and_check(monitor: Monitor, as_of: date | None) -> CheckReport:
    """One recorded check run; retried whole on I/O errors (the ledger keeps it once-only)."""
    report = monitor.check(as_of=as_of, sync=True)
    get_run_logger().info("%d transitions recorded as of %s", report.transitions, report.as_of)
    return report


@flow(name="milestone-check")
def milestone_check(as_of: date | None = None) -> dict[str, int]:
    """Sync the configuration, record status transitions and send the alerts they call for.

    ``as_of`` defaults to today in the programme's time zone. Returns the
    counts: transitions, sent, pending, failed, skipped.
    """
    monitor = Monitor(flow_settings(), trigger="flow")
    try:
        open_database(monitor)
        report = sync_and_check(monitor, as_of)
    finally:
        monitor.close()
    summary = report.alerts.summary("alert")
    get_run_logger().info("check as of %s: %s", report.as_of, summary)
    if not report.alerts.ok:
        raise OperationFailed(summary)
    return report.counts()
