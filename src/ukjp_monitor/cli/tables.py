"""``show`` and ``history`` for people: Rich, with colour when the terminal has it.

The ``status`` table streams and is ``status_table``'s.

Imported only when a table is asked for; JSON and CSV never load Rich.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ukjp_monitor.jobs.standing import MilestoneReport, working_days
from ukjp_monitor.plan.report import when
from ukjp_monitor.plan.status import Rag

RAG_STYLE = {Rag.RED: "bold red", Rag.AMBER: "bold yellow", Rag.GREEN: "green", Rag.GREY: "dim"}


def console() -> Console:
    # Without a terminal Rich falls back to 80 columns, which wraps titles
    # badly in files and pipes; a wider page reads better there.
    out = Console()
    if not out.is_terminal:
        out = Console(width=140)
    return out


def rag_cell(rag: Rag) -> Text:
    return Text(f"● {rag.value}", style=RAG_STYLE[rag])


def print_report(
    report: MilestoneReport, record: dict[str, Any], events: Iterable[dict[str, Any]]
) -> None:
    a, d = report.assessment, report.details
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    rows: list[tuple[str, str | Text]] = [
        ("Title", a.milestone.title),
        ("Workstream", d.workstream_name),
        ("Status", f"{a.status.value} as of {a.as_of} ({when(a, working_days(report.programme))})"),
        ("RAG", rag_cell(a.rag)),
        ("Target", record["target"] or "TBC"),
        ("Forecast", record["forecast"] or "as target"),
        (
            "Window",
            f"{record['window_start']} to {record['window_end']}"
            if record["window_start"]
            else "none",
        ),
        ("Slip", f"{a.slip_days:+d} days"),
        ("Lead time", f"{a.milestone.lead_days} days"),
        ("Depends on", ", ".join(a.milestone.depends_on) or "nothing"),
        ("At risk", "yes, waits on " + ", ".join(a.blocked_by) if a.at_risk else "no"),
        ("Owner", a.milestone.owner or "none"),
        ("Amount", d.amount or "none"),
        ("Source", d.source or "none"),
        ("Notes", d.notes or ""),
    ]
    if d.retired:
        rows.insert(0, ("Retired", "yes: no longer in the config"))
    for label, value in rows:
        if value != "":
            facts.add_row(label, value)
    out = console()
    out.print(Text(a.milestone.id, style="bold"))
    out.print(facts)
    out.print()
    print_events(events, title="History", show_milestone=False, out=out)


def print_events(
    events: Iterable[dict[str, Any]],
    *,
    title: str | None = None,
    show_milestone: bool = True,
    out: Console | None = None,
) -> None:
    table = Table(
        box=None,
        header_style="bold",
        pad_edge=False,
        show_edge=False,
        title=title,
        title_justify="left",
        title_style="bold",
    )
    table.add_column("At", no_wrap=True)
    if show_milestone:
        table.add_column("Milestone", no_wrap=True)
    table.add_column("Event", no_wrap=True)
    table.add_column("By", no_wrap=True)
    table.add_column("What")
    for e in events:
        cells = [
            e["at"],
            *([e["milestone"] or "(programme)"] if show_milestone else []),
            e["kind"],
            e["actor"] or "",
            e["summary"],
        ]
        table.add_row(*cells)
    (out or console()).print(table)
