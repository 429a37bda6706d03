"""The jobs and what runs and watches them: check, digest, run, health and serve."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ukjp_monitor.cli.app import as_of_option, cli, common, monitor
from ukjp_monitor.errors import OperationFailed


@cli.command()
@common
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def health(config_dir, db, fmt):
    """When check and digest last ran; exit 1 if one is overdue or last failed."""
    m = monitor(config_dir, db)
    from ukjp_monitor.jobs.health import describe, health_record

    timezone = m.programme().timezone
    verdicts = m.health()
    if fmt == "json":
        from ukjp_monitor.plan.report import to_json

        click.echo(to_json(health_record(verdicts, timezone)))
    else:
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
    report = monitor(config_dir, db, progress=True).check(as_of=as_of)
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
    "html_to",
    type=click.Path(path_type=Path),
    metavar="FILE.html|DIR",
    help="Preview: also write the HTML to FILE.html (one recipient) or DIR/EMAIL.html.",
)
def digest(config_dir, db, as_of, send, recipients, force, html_to):
    """The weekly digest: a preview on stdout, or --send to deliver it."""
    m = monitor(config_dir, db, progress=send)
    if send:
        report = m.send_digests(as_of=as_of, recipients=list(recipients), force=force)
        _delivery_outcome(report, "digest")
        return
    if force:
        raise click.UsageError("--force only makes sense with --send")
    previews = m.preview_digests(as_of=as_of, recipients=list(recipients))
    if html_to is not None and html_to.suffix in (".html", ".htm") and len(previews) > 1:
        raise click.UsageError(
            f"--html {html_to} is one file but there are {len(previews)} digests; "
            "choose one with --recipient, or give a folder"
        )
    for email, rendered in previews:
        click.echo(f"To: {email}\nSubject: {rendered.subject}\n\n{rendered.text}")
        if html_to is not None:
            target = _html_target(html_to, email)
            target.write_text(rendered.html, encoding="utf-8")
            click.echo(f"wrote {target}", err=True)


def _html_target(html_to: Path, email: str) -> Path:
    if html_to.suffix in (".html", ".htm"):
        html_to.parent.mkdir(parents=True, exist_ok=True)
        return html_to
    html_to.mkdir(parents=True, exist_ok=True)
    return html_to / f"{email}.html"


@cli.command()
@common
@as_of_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def run(config_dir, db, as_of, fmt):
    """The main job: sync, check, and this week's digest if it has not gone."""
    report = monitor(config_dir, db, progress=True).run(as_of=as_of)
    if fmt == "json":
        from ukjp_monitor.plan.report import to_json

        click.echo(to_json(report.record()))
        if not report.ok:
            raise OperationFailed("not every message was delivered; the next run retries")
        return
    click.echo(f"synced: {report.sync.summary()}")
    click.echo(f"checked as of {report.check.as_of}: {report.check.transitions} transitions")
    click.echo(report.check.alerts.summary("alert"))
    click.echo(report.digests.summary("digest"))
    if not report.ok:
        raise OperationFailed("not every message was delivered; the next run retries")


def page_options(command):
    """``--host``, ``--port`` and ``--public``: where the status page listens."""
    command = click.option(
        "--public",
        is_flag=True,
        help="Without UKJP_WEB_TOKEN, still listen on a --host beyond this machine.",
    )(command)
    command = click.option(
        "--port", type=click.IntRange(1, 65535), default=8080, show_default=True
    )(command)
    return click.option("--host", default="127.0.0.1", show_default=True)(command)


@cli.command()
@common
@page_options
def web(config_dir, db, host, port, public):
    """The read-only status page, its JSON API and calendar feed, until stopped."""
    from ukjp_monitor.jobs import webserve
    from ukjp_monitor.jobs.webrun import refuse_exposure

    m = monitor(config_dir, db)
    refuse_exposure(m.settings, host, public=public)
    m.programme()  # NotSynced now, not on every request, if there is nothing to show
    m.close()
    click.echo(f"status page: http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    webserve.run_page(m.settings, host=host, port=port)


@cli.command()
@common
@click.option("--web", "with_page", is_flag=True, help="Also serve the status page (see web).")
@page_options
def serve(config_dir, db, with_page, host, port, public):
    """Run the check and digest flows on monitor.yaml's schedules until stopped."""
    from ukjp_monitor.jobs import scheduler

    # Prefect's SDK analytics decide in a thread of their own, which sees the
    # environment but not scheduler.PREFECT_SETTINGS (a context variable).
    os.environ["DO_NOT_TRACK"] = "1"
    m = monitor(config_dir, db)
    page = None
    try:
        config, jobs = m.load_config(), scheduler.flow_jobs(m.settings)
        if with_page:
            from ukjp_monitor.jobs import webserve
            from ukjp_monitor.jobs.webrun import refuse_exposure

            refuse_exposure(m.settings, host, public=public)
            page = webserve.PageThread(m.settings, host=host, port=port)
            page.start()
            click.echo(f"status page: http://{host}:{port}/")
        scheduler.serve(config, m.engine, jobs, clock=m.clock, echo=click.echo)
    finally:
        if page is not None:
            page.stop()
        m.close()
