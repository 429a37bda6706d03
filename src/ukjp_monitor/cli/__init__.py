"""``ukjp-monitor``: the command line (see ``app.py``)."""

from ukjp_monitor.cli import jobs, plan  # noqa: F401 - registers the commands
from ukjp_monitor.cli.app import cli, main

__all__ = ["cli", "main"]
