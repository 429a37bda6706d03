"""The ``history`` table, streamed: one event's lines at a time.

As ``status_table`` does, the columns take their widths from the page and
from what each can hold (an instant with its offset, an event kind), never
from measuring the rows, so the first event is printed before the last is
read and 200,000 events hold no more than one event's text.

On a page at least ``COLUMNS_FROM`` wide each event is one row of columns —
At, Milestone, Event, By, What — and the milestone, who and what wrap
within their column. Narrower, each event is stacked: when and which
milestone (or, for one milestone's history, the event and who), then the
rest, wrapped to the page. Either way
nothing is dropped or cut short.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import click

from ukjp_monitor.cli.cells import pad, wrap
from ukjp_monitor.plan.history import EventKind

#: "2026-11-24T19:41:32+00:00"; the longest kind ("rebaselined"); ids of the
#: shipped programme fit 32; a login name or "check" fits 12 (longer wraps);
#: narrower than 24 the summary would read a word or two to a line.
AT_W, MILESTONE_W, EVENT_W, BY_W, WHAT_MIN = 25, 32, max(map(len, EventKind)), 12, 24
GAP = "  "
HEADINGS = ("At", "Milestone", "Event", "By", "What")
COLUMNS_FROM = AT_W + MILESTONE_W + EVENT_W + BY_W + WHAT_MIN + len(GAP) * 4
#: Stacked, an event's second and later lines are indented by this much.
INDENT = "    "
PROGRAMME = "(programme)"


@dataclass(frozen=True)
class Layout:
    """How a page ``width`` cells wide shows events; ``show_milestone`` False
    for one milestone's history, where the column would say the same each time."""

    width: int
    colour: bool
    show_milestone: bool = True

    @property
    def stacked(self) -> bool:
        return self.width < COLUMNS_FROM - (0 if self.show_milestone else MILESTONE_W + len(GAP))

    @property
    def columns(self) -> tuple[int, ...]:
        fixed = (AT_W, MILESTONE_W, EVENT_W, BY_W) if self.show_milestone else (AT_W, EVENT_W, BY_W)
        return (*fixed, max(WHAT_MIN, self.width - sum(fixed) - len(GAP) * len(fixed)))

    def bold(self, text: str) -> str:
        return click.style(text, bold=True) if self.colour and text else text


def lines(events: Iterable[dict[str, Any]], layout: Layout) -> Iterator[str]:
    """The headings, then each event's lines (``event_record``s), without line ends."""
    row = _stacked if layout.stacked else _columns
    yield from _headings(layout)
    for event in events:
        yield from row(event, layout)


def _headings(layout: Layout) -> Iterator[str]:
    if layout.stacked:
        legend = (
            "At, milestone; event · by · what"
            if layout.show_milestone
            else ("At; event · by · what")
        )
        yield from (layout.bold(part) for part in wrap(legend, layout.width))
        return
    shown = HEADINGS if layout.show_milestone else (HEADINGS[0], *HEADINGS[2:])
    headings = (pad(h, w) for h, w in zip(shown, layout.columns, strict=True))
    yield layout.bold(GAP.join(headings).rstrip())


def _texts(event: dict[str, Any], layout: Layout) -> list[str]:
    texts = [event["at"]]
    if layout.show_milestone:
        texts.append(event["milestone"] or PROGRAMME)
    return [*texts, event["kind"], event["actor"] or "", event["summary"]]


def _columns(event: dict[str, Any], layout: Layout) -> Iterator[str]:
    widths = layout.columns
    cells_ = [wrap(text, w) for text, w in zip(_texts(event, layout), widths, strict=True)]
    for i in range(max(map(len, cells_))):
        parts = [c[i] if i < len(c) else "" for c in cells_]
        yield GAP.join(pad(p, w) for p, w in zip(parts, widths, strict=True)).rstrip()


def _stacked(event: dict[str, Any], layout: Layout) -> Iterator[str]:
    kind_by = " · ".join(t for t in (event["kind"], event["actor"]) if t)
    if layout.show_milestone:
        heads, rest = (
            [event["at"], event["milestone"] or PROGRAMME],
            f"{kind_by} · {event['summary']}",
        )
    else:
        heads, rest = [event["at"], kind_by], event["summary"]
    yield from wrap(GAP.join(heads), layout.width)
    for part in wrap(rest, max(layout.width - len(INDENT), 20)):
        yield INDENT + part
