"""``export --format html``: the status pages as static files, for sharing
offline — the overview (``index.html``, then ``index-2.html``…), the
timeline (``timeline.html``…), one page per milestone
(``milestones/ID.html``) and the stylesheet, linked to each other by
relative paths so the folder works opened straight from the file system.

The same pages as ``web`` serves, built from one reading of the database:
a milestone page per live milestone without reading the plan again for each.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from ukjp_monitor.jobs.pages import Pages, milestone_page, timeline_page
from ukjp_monitor.jobs.standing import MilestoneReport
from ukjp_monitor.notify.pages import STYLESHEET, Links
from ukjp_monitor.plan.filters import Filters
from ukjp_monitor.store import queries


def write_site(pages: Pages, directory: Path, *, as_of: date | None = None) -> int:
    """Write every page under ``directory`` (created if need be); returns how many."""
    filters = Filters(as_of=as_of)
    standing = pages.standing(filters)
    workstreams = pages.monitor.workstream_names()
    top, below = Links(depth=0, static=True), Links(depth=1, static=True)
    (directory / "milestones").mkdir(parents=True, exist_ok=True)
    (directory / "static").mkdir(exist_ok=True)
    (directory / "static" / STYLESHEET).write_text(pages.stylesheet(), encoding="utf-8")
    written = 1

    overview = pages.overview_page(standing, filters, 1)
    for n in range(1, overview.paging.pages + 1):
        page = overview if n == 1 else pages.overview_page(standing, filters, n)
        _write(directory / (top.overview(page=n) or ""), pages.renderer.overview(page, top))
        written += 1
    timeline = timeline_page(standing, filters, 1, workstreams)
    for n in range(1, timeline.paging.pages + 1):
        lane = timeline if n == 1 else timeline_page(standing, filters, n, workstreams)
        _write(directory / (top.timeline(page=n) or ""), pages.renderer.timeline(lane, top))
        written += 1

    with pages.engine.connect() as conn:
        extras = queries.load_extras(conn)
        events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in queries.load_events(conn):
            if event["milestone_id"]:
                events[event["milestone_id"]].append(event)
    titles = {a.milestone.id: a.milestone.title for a in standing.assessments}
    with pages.monitor.meter("writing milestone pages", len(standing.assessments)) as advance:
        for a in standing.assessments:
            m, extra = a.milestone, extras.get(a.milestone.id, {})
            details = queries.Details(
                workstreams.get(m.workstream, m.workstream),
                extra.get("amount"),
                extra.get("source"),
                extra.get("notes"),
                retired=False,
            )
            report = MilestoneReport(standing.programme, a, details, events.get(m.id, []))
            html = pages.renderer.milestone(milestone_page(report, titles), below)
            _write(directory / "milestones" / f"{m.id}.html", html)
            written += 1
            advance(1)
    return written


def _write(path: Path, html: str) -> None:
    path.write_text(html, encoding="utf-8")
