"""The status page's use cases: load from the store, build each page's data,
render it (``notify.pages``). The HTTP app (``web/``) and ``export --format
html`` both call these, so a served page and an exported file are the same.

What the API gives is what the CLI prints: ``Standing.records`` is
``status --format json`` and ``MilestoneReport.record`` is ``show --format
json``.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from ukjp_monitor.errors import InputError
from ukjp_monitor.jobs.standing import MilestoneReport, Standing
from ukjp_monitor.notify.compose import Digest, compose_digest
from ukjp_monitor.notify.pages import (
    Links,
    MilestonePage,
    OverviewPage,
    PageRenderer,
    Paging,
    TimelinePage,
)
from ukjp_monitor.plan.filters import Filters
from ukjp_monitor.plan.records import Recipient
from ukjp_monitor.plan.report import to_json, to_json_array
from ukjp_monitor.plan.status import URGENCY, Assessment, Rag, Status
from ukjp_monitor.plan.trail import forecast_trail
from ukjp_monitor.store import changes, queries

if TYPE_CHECKING:
    from ukjp_monitor.jobs.monitor import Monitor

#: Milestones listed per page of the overview and of the timeline.
PAGE_SIZE = 100
#: The overview's digest sections show what changed in this many days.
CHANGES_DAYS = 7
#: The overview's audience: everything the filters leave, like a recipient of all.
EVERYONE = Recipient(email="status-page", workstreams="all")


def paging(total: int, page: int) -> Paging:
    """Page ``page`` of ``total`` rows; InputError (400) past the last page."""
    size = PAGE_SIZE
    pages = max(1, -(-total // size))
    if page > pages:
        raise InputError(f"page {page} is past the last page, {pages}")
    return Paging(page, pages, total, size)


def counts(assessments: list[Assessment]) -> tuple[dict[str, int], dict[str, int]]:
    """RAG counts (red first) and status counts (most urgent first)."""
    rags = Counter(a.rag.value for a in assessments)
    statuses = Counter(a.status.value for a in assessments)
    return {r.value: rags[r.value] for r in Rag}, {s.value: statuses[s.value] for s in URGENCY}


class Pages:
    """The status pages and API of one monitor; build one and reuse it
    (its templates are compiled once). Safe to call from several threads."""

    def __init__(self, monitor: Monitor):
        self.monitor = monitor
        self.renderer = PageRenderer(monitor.settings.templates_dir)
        self._opening = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The monitor's database, opened once however many requests come
        first; NotSynced while there is none (nothing is created)."""
        with self._opening:
            return self.monitor.existing

    def _monitor(self) -> Monitor:
        """The monitor, with its database opened (see ``engine``)."""
        _ = self.engine
        return self.monitor

    def stylesheet(self) -> str:
        return self.renderer.stylesheet()

    def error(self, status: int, message: str, links: Links) -> str:
        return self.renderer.error(status, message, links)

    # -- data ------------------------------------------------------------------

    def standing(self, filters: Filters) -> Standing:
        return self._monitor().assess(
            as_of=filters.as_of,
            workstream=filters.workstream,
            status=Status(filters.status) if filters.status else None,
            owner=filters.owner,
        )

    def api_milestones(self, filters: Filters) -> str:
        """``status --format json`` for these filters."""
        return to_json_array(self.standing(filters).records()) + "\n"

    def report(self, milestone_id: str, as_of: date | None) -> MilestoneReport:
        return self._monitor().show(milestone_id, as_of=as_of)

    def api_milestone(self, milestone_id: str, as_of: date | None) -> str:
        """``show --format json`` for one milestone."""
        return to_json(self.report(milestone_id, as_of).record()) + "\n"

    def calendar(self, workstream: str | None) -> str:
        """``export --format ics``, for one workstream or all."""
        return self._monitor().export("ics", workstream=workstream)

    def health(self) -> dict:
        """``health --format json``."""
        from ukjp_monitor.jobs.health import health_record

        monitor = self._monitor()
        return health_record(monitor.health(), monitor.programme().timezone)

    # -- pages -----------------------------------------------------------------

    def overview(self, filters: Filters, page: int, links: Links) -> str:
        standing = self.standing(filters)
        return self.renderer.overview(self.overview_page(standing, filters, page), links)

    def overview_page(self, standing: Standing, filters: Filters, page: int) -> OverviewPage:
        everything = standing.assessments
        where = paging(len(everything), page)
        rags, statuses = counts(everything)
        return OverviewPage(
            programme=standing.programme.name,
            as_of=standing.as_of,
            filters=filters,
            workstreams=self.monitor.workstream_names(),
            digest=self._digest(standing) if page == 1 else None,
            rag_counts=rags,
            status_counts=statuses,
            rows=everything[where.first - 1 : where.last],
            paging=where,
            health=self._health_line(standing.programme.timezone),
        )

    def _digest(self, standing: Standing) -> Digest:
        since = standing.as_of - timedelta(days=CHANGES_DAYS)
        with self.engine.connect() as conn:
            news = changes.changes_since(conn, _start_of(since, standing.programme.timezone))
        return compose_digest(
            programme=standing.programme.name,
            recipient=EVERYONE,
            as_of=standing.as_of,
            since=since,
            assessments=standing.assessments,
            changes=news,
        )

    def _health_line(self, timezone: str) -> str:
        from ukjp_monitor.jobs.health import describe

        return "; ".join(describe(h, timezone) for h in self.monitor.health()) + "."

    def milestone(self, milestone_id: str, as_of: date | None, links: Links) -> str:
        report = self.report(milestone_id, as_of)
        deps = list(report.assessment.milestone.depends_on)
        with self.engine.connect() as conn:
            titles = {m.id: m.title for m in queries.load_plan(conn, ids=deps)} if deps else {}
        return self.renderer.milestone(milestone_page(report, titles), links)

    def timeline(self, filters: Filters, page: int, links: Links) -> str:
        standing = self.standing(filters)
        page_data = timeline_page(standing, filters, page, self.monitor.workstream_names())
        return self.renderer.timeline(page_data, links)


def milestone_page(report: MilestoneReport, titles: dict[str, str]) -> MilestonePage:
    d = report.details
    return MilestonePage(
        programme=report.programme.name,
        assessment=report.assessment,
        workstream_name=d.workstream_name,
        amount=d.amount,
        source=d.source,
        notes=d.notes,
        retired=d.retired,
        history=report.history(),
        trail=forecast_trail(report.events, report.programme.timezone),
        titles=titles,
    )


def timeline_page(
    standing: Standing, filters: Filters, page: int, workstreams: dict[str, str]
) -> TimelinePage:
    from ukjp_monitor.notify.charts import timeline_span

    scheduled = [a for a in standing.assessments if a.milestone.window is not None]
    where = paging(len(scheduled), page)
    return TimelinePage(
        programme=standing.programme.name,
        as_of=standing.as_of,
        filters=filters,
        workstreams=workstreams,
        rows=scheduled[where.first - 1 : where.last],
        span=timeline_span(scheduled, standing.as_of),
        paging=where,
        unscheduled=len(standing.assessments) - len(scheduled),
    )


def _start_of(day: date, timezone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone))
