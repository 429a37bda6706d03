"""Prefect flows: the check and the weekly digest, for a Prefect server with workers.

Thin by design: each flow reads settings from the environment and calls the
same service functions as the command line, split into small tasks so a run's
progress shows in the Prefect UI. Only ``flows/`` (and the scheduler) import
Prefect; the command line never does.
"""

from __future__ import annotations

from prefect import task
from sqlalchemy.exc import OperationalError

from ukjp_monitor.errors import InputError, OperationFailed
from ukjp_monitor.jobs.monitor import Monitor

#: Task retries for I/O: a database restarting, a mail server briefly away.
#: Temporary SMTP replies are already retried inside a run by the mailer;
#: these cover what escapes it as an exception.
IO_RETRIES = 2
IO_RETRY_DELAYS = [10, 60]


def is_transient(exc: BaseException | None) -> bool:
    """Whether trying again later may succeed: I/O may, bad input never does."""
    if exc is None or isinstance(exc, InputError):
        return False
    return isinstance(exc, OperationalError | OperationFailed | OSError)


def retry_on_io(task, task_run, state) -> bool:
    """Prefect ``retry_condition_fn``: retry a failed task only for I/O errors."""
    return is_transient(state.result(raise_on_failure=False))


def io_task_options() -> dict:
    """Keyword arguments for ``@task`` on tasks that talk to the database or SMTP.

    ``NO_CACHE``: the inputs (a Monitor, a Notifier) hold live connections,
    which Prefect could not hash into a cache key, and no result is reusable.
    """
    from prefect.cache_policies import NO_CACHE

    return dict(
        retries=IO_RETRIES,
        retry_delay_seconds=IO_RETRY_DELAYS,
        retry_condition_fn=retry_on_io,
        cache_policy=NO_CACHE,
    )


@task(name="open-database", **io_task_options())
def open_database(monitor: Monitor) -> None:
    """Connect and bring the schema up to date (retried while the database is away)."""
    monitor.engine  # noqa: B018 - opening is the point
