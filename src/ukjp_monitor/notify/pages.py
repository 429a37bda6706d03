"""The status page's HTML: the overview, one milestone, the timeline and the
error page, from plain data (pure; Jinja2, autoescaped).

Links are relative (``Links``), so the same pages work served by ``web``
(``/``, ``milestones/ID``, ``timeline``), behind a proxy under any prefix,
and as static files from ``export --format html`` (``index.html``,
``milestones/ID.html``), opened straight from the file system. A page that
was asked for with ``?token=`` carries the token on its links: a browser
cannot send a bearer header when a link is followed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from ukjp_monitor.notify import charts, lines
from ukjp_monitor.notify.compose import SECTIONS, Digest
from ukjp_monitor.notify.language import language
from ukjp_monitor.notify.rendering import host, nowrap_dates, shipped_templates
from ukjp_monitor.plan import words
from ukjp_monitor.plan.filters import Filters
from ukjp_monitor.plan.report import when
from ukjp_monitor.plan.status import Assessment, Status
from ukjp_monitor.plan.trail import TrailPoint

STYLESHEET = "style.css"
#: The page's words: English, as the page is (its text is not from the catalogue yet).
ENGLISH = lines.Writer(language("en"))
#: Sections whose remainder a status filter lists in full: section → status.
SECTION_STATUS = {
    "overdue": Status.OVERDUE,
    "due": Status.DUE,
    "approaching": Status.APPROACHING,
    "unscheduled": Status.UNSCHEDULED,
    "completed": Status.COMPLETED,
}


@dataclass(frozen=True)
class Links:
    """Where a page's links go, relative to a page ``depth`` folders down."""

    depth: int = 0
    static: bool = False  # files from export, not pages served by web
    token: str | None = None

    def _to(self, path: str, params: Sequence[tuple[str, str]] = ()) -> str:
        pairs = [*params, *([("token", self.token)] if self.token else [])]
        up = "../" * self.depth
        target = up + path if path or up else "./"
        return target + ("?" + urlencode(pairs) if pairs else "")

    def overview(self, filters: Filters | None = None, page: int = 1) -> str | None:
        """The overview, filtered and paged; None for a filter in static files."""
        if self.static:
            if filters is not None and filters.narrowed:
                return None
            return self._to("index.html" if page == 1 else f"index-{page}.html")
        params = filters.query() if filters else []
        return self._to("", [*params, *([("page", str(page))] if page > 1 else [])])

    def milestone(self, milestone_id: str) -> str:
        name = quote(milestone_id, safe="")
        return self._to(f"milestones/{name}.html" if self.static else f"milestones/{name}")

    def timeline(self, filters: Filters | None = None, page: int = 1) -> str | None:
        if self.static:
            if filters is not None and filters.narrowed:
                return None
            return self._to("timeline.html" if page == 1 else f"timeline-{page}.html")
        params = filters.query() if filters else []
        return self._to("timeline", [*params, *([("page", str(page))] if page > 1 else [])])

    def stylesheet(self) -> str:
        return self._to(f"static/{STYLESHEET}")

    def calendar(self) -> str | None:
        return None if self.static else self._to("calendar.ics")

    def api(self) -> str | None:
        return None if self.static else self._to("api/milestones")


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    total: int
    size: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.size, self.total)


@dataclass(frozen=True)
class OverviewPage:
    programme: str
    as_of: date
    filters: Filters
    workstreams: dict[str, str]
    digest: Digest | None  # the digest's sections (first page only), for what the filters leave
    rag_counts: dict[str, int]
    status_counts: dict[str, int]
    rows: list[Assessment]  # this page of the list
    paging: Paging
    health: str | None = None


@dataclass(frozen=True)
class MilestonePage:
    programme: str
    assessment: Assessment
    workstream_name: str
    amount: str | None
    source: str | None
    notes: str | None
    retired: bool
    history: list[dict[str, Any]]  # as ``show --format json`` gives it
    trail: list[TrailPoint]
    titles: dict[str, str] = field(default_factory=dict)  # dependency id → title


@dataclass(frozen=True)
class TimelinePage:
    programme: str
    as_of: date
    filters: Filters
    workstreams: dict[str, str]
    rows: list[Assessment]  # this page's scheduled milestones
    span: tuple[date, date]  # the axis, the same on every page
    paging: Paging
    unscheduled: int = 0


def summary(digest: Digest) -> str:
    """The digest's opening sentence; a quiet one in the page's own words
    (the page has readers, not a recipient who follows something)."""
    if digest.quiet:
        return (
            "Nothing here is overdue, due, at risk or approaching, and nothing changed "
            f"since {words.weekday(digest.since)}."
        )
    return ENGLISH.summary(digest)


def web_address(text: str | None) -> bool:
    """Whether ``text`` may be a link: an http(s) address (never ``javascript:``)."""
    return bool(text) and urlsplit(str(text).strip()).scheme.lower() in ("http", "https")


class PageRenderer:
    """Renders the status pages; templates from ``templates/web/``, searched
    first in ``template_dir/web`` when given (an override, as for mail)."""

    def __init__(self, template_dir: Path | None = None):
        folders = [template_dir / "web"] if template_dir is not None else []
        self.env = Environment(
            loader=ChoiceLoader(
                [FileSystemLoader(d) for d in [*folders, shipped_templates() / "web"]]
            ),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters.update(
            count=words.count,
            day=words.day,
            weekday=words.weekday,
            period=words.period,
            nowrap_dates=nowrap_dates,
            host=host,
            when=when,
            window_words=ENGLISH.window,
            when_words=ENGLISH.when,
            line=ENGLISH.describe,
            summary=summary,
            web_address=web_address,
        )
        self.env.globals.update(
            statuses=[s.value for s in Status],
            section_names=SECTIONS,
            Filters=Filters,
            section_status=SECTION_STATUS,
            trend_chart=charts.trend_chart,
            timeline_axis=charts.timeline_axis,
            timeline_bar=charts.timeline_bar,
        )
        self._templates = {
            name: self.env.get_template(f"{name}.html.j2")
            for name in ("overview", "milestone", "timeline", "error")
        }

    def stylesheet(self) -> str:
        """The one stylesheet every page links to (no inline style anywhere)."""
        source, _, _ = self.env.loader.get_source(self.env, STYLESHEET)  # type: ignore[union-attr]
        return source

    def overview(self, page: OverviewPage, links: Links) -> str:
        return self._templates["overview"].render(page=page, links=links)

    def milestone(self, page: MilestonePage, links: Links) -> str:
        return self._templates["milestone"].render(page=page, links=links)

    def timeline(self, page: TimelinePage, links: Links) -> str:
        return self._templates["timeline"].render(page=page, links=links)

    def error(self, status: int, message: str, links: Links) -> str:
        return self._templates["error"].render(status=status, message=message, links=links)
