"""The command line: parse, call one ``Monitor`` method, print.

Errors become one sentence on stderr and an exit status (2 bad input, 1 a
failed operation); see ``errors.py``. Heavy modules (Rich, the config loader,
iCalendar) are imported inside the commands that need them, and Prefect and
Jinja2 never on the query path.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from ukjp_monitor import __version__
from ukjp_monitor.errors import ConfigError, MonitorError, OperationFailed
from ukjp_monitor.periods import PeriodError, parse_day
from ukjp_monitor.service import Monitor
from ukjp_monitor.settings import Settings
from ukjp_monitor.status import Status


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


def monitor(config_dir: Path | None, db: str | None) -> Monitor:
    settings = Settings.from_env().but(config_dir=config_dir, database_url=db)
    return Monitor(settings)


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


@cli.command()
@common
def validate(config_dir, db):
    """Check the configuration; write nothing."""
    config = monitor(config_dir, db).load_config()
    click.echo(
        f"{config.directory}: {len(config.milestones)} milestones in "
        f"{len(config.workstreams)} workstreams, "
        f"{len(config.monitor.recipients)} recipients: valid"
    )


@cli.command()
@common
def sync(config_dir, db):
    """Validate the configuration, then load it into the database."""
    report = monitor(config_dir, db).sync()
    click.echo(f"synced: {report.summary()}")


@cli.command()
@common
@as_of_option
@click.option("--workstream", metavar="ID", help="Only this workstream.")
@click.option(
    "--status",
    "status_filter",
    type=click.Choice([s.value for s in Status]),
    help="Only milestones with this status.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def status(config_dir, db, as_of, workstream, status_filter, fmt):
    """Every milestone with its status, RAG, window, days to go, slip and risk."""
    from ukjp_monitor.report import record, to_csv, to_json_array

    m = monitor(config_dir, db)
    standing = m.assess(
        as_of=as_of, workstream=workstream, status=Status(status_filter) if status_filter else None
    )
    if fmt == "json":
        emit(to_json_array([record(a) for a in standing.assessments]))
    elif fmt == "csv":
        emit(to_csv([record(a) for a in standing.assessments]))
    else:
        from ukjp_monitor import store, tables

        with m.engine.connect() as conn:
            names = store.load_workstreams(conn)
        tables.print_standing(standing, names)
        click.echo(_health_line(m, standing.programme.timezone))


@cli.command()
@common
@click.argument("milestone_id", metavar="ID")
@as_of_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def show(config_dir, db, milestone_id, as_of, fmt):
    """One milestone with its full history."""
    from ukjp_monitor.report import event_record, record, to_json

    m = monitor(config_dir, db)
    report = m.show(milestone_id, as_of=as_of)
    data = record(report.assessment)
    events = [event_record(e, report.programme.timezone) for e in report.events]
    if fmt == "json":
        d = report.details
        emit(
            to_json(
                {
                    **data,
                    "workstream_name": d.workstream_name,
                    "amount": d.amount,
                    "source": d.source,
                    "notes": d.notes,
                    "retired": d.retired,
                    "history": events,
                }
            )
        )
    else:
        from ukjp_monitor import tables

        tables.print_report(report, data, events)


@cli.command()
@common
@click.argument("milestone_id", metavar="ID")
@click.option("--on", "on", type=DATE, required=True, help="The day it was completed.")
@click.option("--evidence", metavar="URL", help="Where the completion is shown.")
@click.option("--note", metavar="TEXT")
def complete(config_dir, db, milestone_id, on, evidence, note):
    """Record that a milestone was completed."""
    monitor(config_dir, db).complete(milestone_id, on=on, evidence=evidence, note=note)
    click.echo(f"{milestone_id}: completed on {on}")


@cli.command()
@common
@click.argument("milestone_id", metavar="ID")
@click.argument("target", metavar="TARGET")
@click.option("--reason", metavar="TEXT", help="Why the date moved.")
def forecast(config_dir, db, milestone_id, target, reason):
    """Re-forecast a milestone: TARGET in any period form (2027-Q1, FY2026, TBC…)."""
    monitor(config_dir, db).forecast(milestone_id, target, reason=reason)
    click.echo(f"{milestone_id}: forecast {target}")


@cli.command()
@common
@click.argument("milestone_id", metavar="ID")
@click.option("--reason", metavar="TEXT", required=True, help="Why it was cancelled.")
def cancel(config_dir, db, milestone_id, reason):
    """Cancel a milestone (kept, reported grey)."""
    monitor(config_dir, db).cancel(milestone_id, reason=reason)
    click.echo(f"{milestone_id}: cancelled")


@cli.command()
@common
@click.argument("milestone_id", metavar="[ID]", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def history(config_dir, db, milestone_id, fmt):
    """The audit trail: every sync change and progress report, oldest first."""
    from ukjp_monitor.report import event_record, to_json_array

    programme, events = monitor(config_dir, db).history(milestone_id)
    rows = [event_record(e, programme.timezone) for e in events]
    if fmt == "json":
        emit(to_json_array(rows))
    else:
        from ukjp_monitor import tables

        tables.print_events(rows)


@cli.command()
@common
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["ics", "json", "csv"]), required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
def export(config_dir, db, as_of, fmt, output):
    """A calendar feed (ics) of the plan, or its data (json, csv)."""
    emit(monitor(config_dir, db).export(fmt, as_of=as_of), output)
    if output is not None:
        click.echo(f"wrote {output}", err=True)


def _health_line(m: Monitor, timezone: str) -> str:
    from ukjp_monitor.health import describe

    return "; ".join(describe(h, timezone) for h in m.health())


@cli.command()
@common
def health(config_dir, db):
    """When check and digest last ran; exit 1 if one is overdue or last failed."""
    m = monitor(config_dir, db)
    from ukjp_monitor.health import describe
    from ukjp_monitor.store import load_programme

    with m.engine.connect() as conn:
        timezone = load_programme(conn).timezone
    verdicts = m.health()
    for verdict in verdicts:
        click.echo(describe(verdict, timezone))
    if not all(v.ok for v in verdicts):
        raise OperationFailed("a scheduled run is overdue or failed")


def _delivery_outcome(report, noun: str) -> None:
    """Print the one-line summary; a run that left mail unsent exits 1."""
    line = report.summary(noun)
    if report.ok:
        click.echo(line)
        return
    click.echo(line, err=True)
    raise OperationFailed(f"not every {noun} was delivered")


@cli.command()
@common
@as_of_option
def check(config_dir, db, as_of):
    """Record status transitions and alert each recipient about theirs."""
    report = monitor(config_dir, db).check(as_of=as_of)
    click.echo(
        f"checked as of {report.as_of}: {report.transitions} transition"
        f"{'s' if report.transitions != 1 else ''} recorded"
    )
    _delivery_outcome(report.alerts, "alert")


@cli.command()
@common
@as_of_option
@click.option("--send", is_flag=True, help="Deliver (once per recipient per ISO week).")
@click.option(
    "--recipient",
    "recipients",
    multiple=True,
    metavar="EMAIL",
    help="Only this recipient (repeatable).",
)
@click.option("--force", is_flag=True, help="With --send: send even if this week's has gone.")
@click.option(
    "--html",
    "html_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Preview: also write each digest's HTML into this folder.",
)
def digest(config_dir, db, as_of, send, recipients, force, html_dir):
    """The weekly digest: a preview on stdout, or --send to deliver it."""
    m = monitor(config_dir, db)
    if send:
        report = m.send_digests(as_of=as_of, recipients=list(recipients), force=force)
        _delivery_outcome(report, "digest")
        return
    if force:
        raise click.UsageError("--force only makes sense with --send")
    for email, rendered in m.preview_digests(as_of=as_of, recipients=list(recipients)):
        click.echo(f"To: {email}\nSubject: {rendered.subject}\n\n{rendered.text}")
        if html_dir is not None:
            html_dir.mkdir(parents=True, exist_ok=True)
            (html_dir / f"{email}.html").write_text(rendered.html, encoding="utf-8")
            click.echo(f"wrote {html_dir / (email + '.html')}", err=True)


@cli.command()
@common
@as_of_option
def run(config_dir, db, as_of):
    """The main job: sync, check, and this week's digest if it has not gone."""
    report = monitor(config_dir, db).run(as_of=as_of)
    click.echo(f"synced: {report.sync.summary()}")
    click.echo(f"checked as of {report.check.as_of}: {report.check.transitions} transitions")
    click.echo(report.check.alerts.summary("alert"))
    click.echo(report.digests.summary("digest"))
    if not report.ok:
        raise OperationFailed("not every message was delivered; the next run retries")


@cli.command()
@common
def serve(config_dir, db):
    """Run the check and digest flows on monitor.yaml's schedules until stopped."""
    from ukjp_monitor import scheduler

    m = monitor(config_dir, db)
    config = m.load_config()
    jobs = scheduler.flow_jobs(m.settings)
    try:
        scheduler.serve(config, m.engine, jobs, echo=click.echo)
    finally:
        m.close()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a command, turning library errors into exit statuses."""
    try:
        cli.main(args=argv, prog_name="ukjp-monitor", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
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
