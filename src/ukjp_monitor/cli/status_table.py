"""The ``status`` table, streamed: one milestone's lines at a time.

Column widths come from the width of the page and from what each column can
hold (a RAG word, a status name, a period, a count of days), never from
measuring the rows, so the first line goes out before the last milestone is
formatted and a table of 100,000 rows holds no more than one row's text.

On a page at least ``COLUMNS_FROM`` wide each milestone is one row of
columns; long cells (the title, an explicit window, "waits on …") wrap within
their column. Narrower, each milestone is stacked: the RAG and the title,
then its id, then status · window · when · slip, then what it waits on, all
wrapped to the page. Either way nothing is dropped or cut short.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import click

from ukjp_monitor.cli.cells import cells, pad, wrap
from ukjp_monitor.jobs.standing import Standing
from ukjp_monitor.plan.report import counts_line, when
from ukjp_monitor.plan.status import Assessment, Rag

#: click.style's keywords.
Style = Mapping[str, Any]

RAG_STYLE: dict[Rag, Style] = {
    Rag.RED: {"fg": "red", "bold": True},
    Rag.AMBER: {"fg": "yellow", "bold": True},
    Rag.GREEN: {"fg": "green"},
    Rag.GREY: {"dim": True},
}
STATUS_STYLE: dict[str, Style] = {
    "overdue": {"fg": "red", "bold": True},
    "due": {"fg": "yellow"},
    "approaching": {"fg": "cyan"},
    "unscheduled": {"fg": "magenta"},
    "completed": {"fg": "green"},
    "cancelled": {"dim": True},
}
RISK_STYLE: Style = {"fg": "yellow"}
ID_STYLE: Style = {"dim": True}

# Widths from each column's domain: "● amber"; "unscheduled" and "approaching";
# "cancelled 2026-10-30" and "starts in 1,234 days", and with the programme's
# calendars "starts in 250 days (170 working)" (longer counts wrap); "+1234d";
# a window is "2026-H2" … "2026-10-01..2027-01-31", and narrower than 22 an
# explicit one wraps after its "..".
RAG_W, STATUS_W, WHEN_W, WHEN_WORKING_W, SLIP_W = 7, 11, 20, 32, 6
WINDOW_W, WINDOW_NARROW_W = 22, 12
GAP = "  "
MILESTONE_MIN, RISK_MIN = 30, 16
_FIXED = RAG_W + STATUS_W + SLIP_W + len(GAP) * 6  # and the When column's
#: From this width an explicit window fits on one line; the title needs the room more.
WIDE_WINDOW_FROM = 160
#: The narrowest page that takes the table as columns (without working days;
#: 12 more with them); below it rows are stacked.
COLUMNS_FROM = _FIXED + WHEN_W + WINDOW_NARROW_W + MILESTONE_MIN + RISK_MIN
HEADINGS = ("RAG", "Milestone", "Status", "Window", "When", "Slip", "Risk")


@dataclass(frozen=True)
class Layout:
    """The widths of the columns on a page ``width`` cells wide; with
    ``working_days`` the When column has room for the working-day count."""

    width: int
    colour: bool
    working_days: bool = False

    @property
    def stacked(self) -> bool:
        return self.width < COLUMNS_FROM + (WHEN_WORKING_W - WHEN_W) * self.working_days

    @cached_property
    def columns(self) -> tuple[int, ...]:
        when = WHEN_WORKING_W if self.working_days else WHEN_W
        rest = self.width - _FIXED - when
        window = WINDOW_W if self.width >= WIDE_WINDOW_FROM else WINDOW_NARROW_W
        free = rest - window
        # The title and the id need the room more than the risk does.
        risk = max(RISK_MIN, free // 3)
        return (RAG_W, max(MILESTONE_MIN, free - risk), STATUS_W, window, when, SLIP_W, risk)

    def style(self, text: str, style: Style | None) -> str:
        return click.style(text, **style) if self.colour and style and text else text


def lines(standing: Standing, workstreams: Mapping[str, str], layout: Layout) -> Iterator[str]:
    """The table's lines, without line ends: the programme, the headings, each
    workstream's heading and milestones in turn, then the counts."""
    yield layout.style(standing.programme.name, {"bold": True})
    row = _stacked if layout.stacked else _columns
    yield from _headings(layout)
    current, calendar = None, standing.calendar
    indent = " " * (RAG_W + len(GAP))
    for a in standing.assessments:
        if a.milestone.workstream != current:
            current = a.milestone.workstream
            name = workstreams.get(current, current)
            for part in wrap(name, max(layout.width - len(indent), 10)):
                yield indent + layout.style(part, {"bold": True, "underline": True})
        yield from row(a, when(a, calendar), layout)
    yield from wrap(counts_line(standing.assessments, standing.as_of), layout.width)


def _headings(layout: Layout) -> Iterator[str]:
    bold = {"bold": True}
    if layout.stacked:
        legend = "Milestone, its id; status · window · when · slip; what it waits on"
        indent = " " * (RAG_W + len(GAP))
        for i, part in enumerate(wrap(legend, max(layout.width - len(indent), 20))):
            yield layout.style(pad("RAG", RAG_W) + GAP if i == 0 else indent, bold) + (
                layout.style(part, bold)
            )
        return
    headings = [pad(h, w) for h, w in zip(HEADINGS, layout.columns, strict=True)]
    headings[5] = HEADINGS[5].rjust(SLIP_W)
    yield layout.style(GAP.join(headings).rstrip(), bold)


def _risk(a: Assessment) -> str:
    return "waits on " + ", ".join(a.blocked_by) if a.at_risk else ""


def _slip(a: Assessment) -> str:
    return f"{a.slip_days:+d}d" if a.slip_days else ""


def _columns(a: Assessment, when_text: str, layout: Layout) -> Iterator[str]:
    m = a.milestone
    widths = layout.columns
    title = wrap(m.title, widths[1])
    texts_and_styles: list[tuple[list[str], Style | None]] = [
        ([f"● {a.rag.value}"], RAG_STYLE[a.rag]),
        (title, None),
        (wrap(a.status.value, widths[2]), STATUS_STYLE.get(a.status.value)),
        (wrap(m.window.text if m.window else "TBC", widths[3]), None),
        (wrap(when_text, widths[4]), None),
        (wrap(_slip(a), widths[5]), None),
        (wrap(_risk(a), widths[6]), RISK_STYLE),
    ]
    ids = wrap(m.id, widths[1])
    height = max(len(title) + len(ids), *(len(c) for c, _ in texts_and_styles))
    for i in range(height):
        out = []
        for column, ((texts, style), w) in enumerate(zip(texts_and_styles, widths, strict=True)):
            if column == 1 and i >= len(title):
                text, style = (ids[i - len(title)] if i - len(title) < len(ids) else ""), ID_STYLE
            else:
                text = texts[i] if i < len(texts) else ""
            filler = " " * (w - cells(text))
            if column == 5:
                out.append(filler + layout.style(text, style))
            else:
                out.append(layout.style(text, style) + filler)
        yield GAP.join(out).rstrip()


def _stacked(a: Assessment, when_text: str, layout: Layout) -> Iterator[str]:
    m = a.milestone
    indent = " " * (RAG_W + len(GAP))
    text_w = max(layout.width - len(indent), 20)
    rag = layout.style(pad(f"● {a.rag.value}", RAG_W), RAG_STYLE[a.rag]) + GAP
    for i, part in enumerate(wrap(m.title, text_w)):
        yield (rag if i == 0 else indent) + part
    for part in wrap(m.id, text_w):
        yield indent + layout.style(part, ID_STYLE)
    facts = [
        (a.status.value, STATUS_STYLE.get(a.status.value)),
        (m.window.text if m.window else "TBC", None),
        (when_text, None),
    ]
    if a.slip_days:
        facts.append((f"slip {_slip(a)}", None))
    yield from _joined(facts, text_w, indent, layout)
    for part in wrap(_risk(a), text_w) if a.at_risk else ():
        yield indent + layout.style(part, RISK_STYLE)


def _joined(
    facts: list[tuple[str, Style | None]], text_w: int, indent: str, layout: Layout
) -> Iterator[str]:
    """``facts`` joined by " · ", wrapped between facts (and within one too long)."""
    line: list[str] = []
    used = 0
    for text, style in facts:
        for part in wrap(text, text_w):
            size = cells(part)
            if line and used + 3 + size > text_w:
                yield indent + " · ".join(line)
                line, used = [], 0
            used += size + (3 if line else 0)
            line.append(layout.style(part, style))
    if line:
        yield indent + " · ".join(line)
