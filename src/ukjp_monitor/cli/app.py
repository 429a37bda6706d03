"""The command line's frame: the group, shared options, and ``main``.

Commands live in ``plan.py`` (the programme and its progress) and
``jobs.py`` (checks, digests and scheduling): parse, call one ``Monitor``
method, print. Errors become one sentence on stderr and an exit status (2 bad
input, 1 a failed operation); see ``errors.py``. Heavy modules (Rich, the
config loader, iCalendar, Jinja2) are imported inside the commands that need
them, and Prefect never on the query path.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from ukjp_monitor import __version__
from ukjp_monitor.errors import ConfigError, MonitorError
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.plan.periods import PeriodError, parse_day
from ukjp_monitor.settings import Settings


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(value)
        except PeriodError as exc:
            self.fail(str(exc), param, ctx)


DATE = IsoDate()


def common(command):
    """``--config-dir`` and ``--db`` on every command (they override the environment)."""
    command = click.option(
        "--db",
        "db",
        metavar="URL|PATH",
        help="Database URL or SQLite file [env UKJP_DATABASE_URL].",
    )(command)
    return click.option(
        "--config-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Configuration folder [env UKJP_CONFIG_DIR].",
    )(command)


def monitor(config_dir: Path | None, db: str | None, *, progress: bool = False) -> Monitor:
    """The monitor for a command; with ``progress``, its long work shows a
    progress bar when stderr is a terminal (``terminal.progress_meter``)."""
    settings = Settings.from_env().but(config_dir=config_dir, database_url=db)
    if not progress:
        return Monitor(settings)
    from ukjp_monitor.cli.terminal import progress_meter

    return Monitor(settings, meter=progress_meter(settings.environ))


def as_of_option(command):
    return click.option(
        "--as-of",
        type=DATE,
        help="Evaluate as of this date (default today, in the programme's time zone).",
    )(command)


def emit(text: str, output: Path | None = None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ukjp-monitor")
def cli():
    """Track the UK–Japan science and technology programme's milestones."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command, turning library errors into exit statuses."""
    # Titles, arrows and dashes are Unicode; a terminal or pipe that cannot
    # show a character gets "?" rather than a traceback halfway through.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        cli.main(args=argv, prog_name="ukjp-monitor", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        # A bad value or option is one sentence naming the command, not
        # click's usage block around it; without a suggestion of click's,
        # it also says where the help is.
        where = exc.ctx.command_path if exc.ctx else "ukjp-monitor"
        said = " ".join(exc.format_message().split()).replace(". Did you mean", "; did you mean")
        said = _first_lower(said)
        if "did you mean" not in said and (
            isinstance(exc, click.MissingParameter) or not isinstance(exc, click.BadParameter)
        ):
            said = f"{said.rstrip('.')}; see '{where} --help'"
        click.echo(f"{where}: {said.rstrip('.')}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        n = len(exc.problems)
        click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written", err=True)
        sys.exit(exc.exit_status)
    except MonitorError as exc:
        click.echo(f"ukjp-monitor: {exc}", err=True)
        sys.exit(exc.exit_status)
    except DBAPIError as exc:
        # The database failed mid-operation (connection lost, disk full…);
        # the transaction was rolled back, so nothing half-done remains.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        click.echo(f"ukjp-monitor: the database failed: {reason}; nothing was changed", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(
            f"ukjp-monitor: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True
        )
        sys.exit(1)
    sys.exit(0)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]
