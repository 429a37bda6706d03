"""Commands about the programme and its progress: validate, sync, status, show,
complete, forecast, cancel, history and export."""

from __future__ import annotations

from itertools import chain
from pathlib import Path

import click

from ukjp_monitor.cli.app import DATE, as_of_option, cli, common, emit, monitor
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.plan import history as wording
from ukjp_monitor.plan.status import Status
from ukjp_monitor.plan.words import counted


def _health_line(m: Monitor, timezone: str) -> str:
    from ukjp_monitor.jobs.health import describe

    return "; ".join(describe(h, timezone) for h in m.health())


@cli.command()
@common
def validate(config_dir, db):
    """Check the configuration; write nothing."""
    config = monitor(config_dir, db, progress=True).load_config()
    channels = len(config.monitor.channels)
    # Channels are counted, never shown: their URLs may hold secrets.
    also = f", {counted(channels, 'channel')}" if channels else ""
    click.echo(
        f"{config.directory}: {counted(len(config.milestones), 'milestone')} in "
        f"{counted(len(config.workstreams), 'workstream')}, "
        f"{counted(len(config.monitor.recipients), 'recipient')}{also}: valid"
    )


@cli.command()
@common
@click.option(
    "--force",
    is_flag=True,
    help="Read the files even if they are byte for byte those of the last sync.",
)
def sync(config_dir, db, force):
    """Validate the configuration, then load it into the database."""
    report = monitor(config_dir, db, progress=True).sync(force=force)
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
    from ukjp_monitor.plan.report import to_csv, to_json_array

    m = monitor(config_dir, db)
    standing = m.assess(
        as_of=as_of, workstream=workstream, status=Status(status_filter) if status_filter else None
    )
    if fmt == "json":
        emit(to_json_array(standing.records()))
    elif fmt == "csv":
        emit(to_csv(standing.records()))
    else:
        _print_table(m, standing)


def _print_table(m: Monitor, standing) -> None:
    """The table as it is formatted; through ``$PAGER`` when a person at a
    terminal would otherwise see it scroll by (``pager.write``)."""
    from ukjp_monitor.cli import pager, terminal
    from ukjp_monitor.cli.status_table import Layout, lines

    env = m.settings.environ
    colour = terminal.colour(env)
    layout = Layout(terminal.width(env), colour, working_days=standing.calendar is not None)
    footer = _health_line(m, standing.programme.timezone)
    pager.write(chain(lines(standing, m.workstream_names(), layout), [footer]), colour=colour)


@cli.command()
@common
@click.argument("milestone_id", metavar="ID")
@as_of_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def show(config_dir, db, milestone_id, as_of, fmt):
    """One milestone with its full history."""
    from ukjp_monitor.plan.report import to_json

    report = monitor(config_dir, db).show(milestone_id, as_of=as_of)
    data = report.record()
    if fmt == "json":
        emit(to_json(data))
    else:
        from ukjp_monitor.cli import tables

        tables.print_report(report, data, data["history"])


@cli.command()
@common
@click.argument("milestone_id", metavar="ID")
@click.option("--on", "on", type=DATE, required=True, help="The day it was completed.")
@click.option("--evidence", metavar="URL", help="Where the completion is shown.")
@click.option("--note", metavar="TEXT")
def complete(config_dir, db, milestone_id, on, evidence, note):
    """Record that a milestone was completed."""
    monitor(config_dir, db).complete(milestone_id, on=on, evidence=evidence, note=note)
    click.echo(f"{milestone_id}: {wording.completed(on)}")


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
@click.option("--on", "on", type=DATE, help="The day it was cancelled (default today).")
def cancel(config_dir, db, milestone_id, reason, on):
    """Cancel a milestone (kept, reported grey)."""
    on = monitor(config_dir, db).cancel(milestone_id, reason=reason, on=on)
    click.echo(f"{milestone_id}: {wording.cancelled(on)}")


@cli.command()
@common
@click.argument("milestone_id", metavar="[ID]", required=False)
@click.option(
    "--since",
    type=DATE,
    help="Only what happened on or after this day (in the programme's time zone).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def history(config_dir, db, milestone_id, since, fmt):
    """The audit trail: every sync change and progress report, oldest first."""
    from ukjp_monitor.cli import pager, terminal
    from ukjp_monitor.plan.report import event_record, json_array_lines

    m = monitor(config_dir, db)
    programme, events = m.history(milestone_id, since=since)
    rows = (event_record(e, programme.timezone) for e in events)
    if fmt == "json":
        # Data for a program: streamed, never paged.
        pager.write(json_array_lines(rows), colour=False, page=False)
        return
    from ukjp_monitor.cli.history_table import Layout, lines

    env = m.settings.environ
    colour = terminal.colour(env)
    layout = Layout(terminal.width(env), colour, show_milestone=milestone_id is None)
    pager.write(lines(rows, layout), colour=colour)


@cli.command()
@common
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["ics", "json", "csv", "html"]), required=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to this file instead of standard output (html: this folder).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="csv only: start with a UTF-8 byte-order mark and end lines with CRLF, "
    "so that Excel opens £, – and Japanese text correctly.",
)
def export(config_dir, db, as_of, fmt, output, excel):
    """A calendar feed (ics) of the plan, its data (json, csv), or the status pages (html)."""
    m = monitor(config_dir, db, progress=True)
    if fmt == "html":
        if output is None or output.is_file():
            raise click.UsageError("--format html writes a folder of pages; give --output DIR")
        from ukjp_monitor.jobs.pages import Pages
        from ukjp_monitor.jobs.site import write_site

        count = write_site(Pages(m), output, as_of=as_of)
        click.echo(f"wrote {count:,} files to {output}", err=True)
        return
    if excel and fmt != "csv":
        raise click.UsageError("--excel is for --format csv")
    if output is not None and output.is_dir():
        raise click.UsageError(f"--output {output} is a folder; give a file")
    text = m.export(fmt, as_of=as_of)
    if excel:
        # Excel reads a CSV without a byte-order mark as the machine's code
        # page (Windows-1252 in the UK), which garbles £ and –.
        data = ("\ufeff" + text).replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
        if output is None:
            click.get_binary_stream("stdout").write(data)
        else:
            output.write_bytes(data)
    else:
        emit(text, output)
    if output is not None:
        click.echo(f"wrote {output}", err=True)
