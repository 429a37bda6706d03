"""What an alert or a digest says: pure composition, no clock, no I/O.

``compose_digest`` (and ``alerts.compose_alert``) take assessments and
changes that the caller has already loaded and return plain data; ``lines.py`` puts each
entry into words and ``rendering.py`` turns it into subject, text and HTML.
Each recipient sees only the workstreams they follow. Neither names the
recipient (the To header does), so one rendering serves everyone who follows
the same workstreams.

A digest lists each milestone once, in the first section it belongs to
(DESIGN §12): overdue, due, at risk, slipped, approaching, changed,
unscheduled, recently completed; its line carries all its flags.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from ukjp_monitor.notify.routing import Portfolio
from ukjp_monitor.plan.history import EventKind
from ukjp_monitor.plan.records import Audience, ChangeLine, Recipient
from ukjp_monitor.plan.sendtimes import iso_week
from ukjp_monitor.plan.status import Assessment, Status

T = TypeVar("T")

#: How far back "recently completed" reaches.
RECENT_DAYS = 30
#: A digest section lists at most this many entries (the heading counts them
#: all); the renderer lists fewer when the message would pass 100,000 bytes.
SECTION_LINES = 50


@dataclass(frozen=True)
class Entry:
    """One milestone as a message lists it: where it stands, what it waits
    on (titles), what changed since the last digest, and a link to read more
    (the completion's evidence, else the announcement)."""

    assessment: Assessment
    waits_on: tuple[str, ...] = ()
    changes: tuple[ChangeLine, ...] = ()
    link: str | None = None

    @property
    def slip(self) -> ChangeLine | None:
        """The latest re-forecast since the last digest, if any."""
        forecasts = [c for c in self.changes if c.kind == EventKind.FORECAST]
        return forecasts[-1] if forecasts else None


@dataclass(frozen=True)
class Section(Generic[T]):
    """The first entries of a digest section, and how many there are in all."""

    shown: tuple[T, ...] = ()
    total: int = 0

    @classmethod
    def of(cls, entries: Iterable[T], limit: int = SECTION_LINES) -> Section[T]:
        entries = tuple(entries)
        return cls(entries[:limit], len(entries))

    def capped(self, limit: int) -> Section[T]:
        return Section(self.shown[:limit], self.total)

    @property
    def omitted(self) -> int:
        return self.total - len(self.shown)

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.shown)


#: A digest's sections, in order: (attribute, heading, what "…and N more" calls them).
SECTIONS = (
    ("overdue", "Overdue", "overdue"),
    ("due", "Due", "due"),
    ("at_risk", "At risk", "at risk"),
    ("slipped", "Slipped", "slipped"),
    ("approaching", "Approaching", "approaching"),
    ("changed", "Other changes", "changed"),
    ("unscheduled", "Unscheduled", "unscheduled"),
    ("completed", "Recently completed", "completed"),
)


@dataclass(frozen=True)
class Digest:
    programme: str
    as_of: date
    week: str
    since: date
    audience: Audience  # what the recipient follows
    overdue: Section[Entry]
    due: Section[Entry]
    at_risk: Section[Entry]
    slipped: Section[Entry]
    approaching: Section[Entry]
    changed: Section[Entry]
    unscheduled: Section[Entry]
    completed: Section[Entry]
    totals: tuple[tuple[str, int], ...] = ()

    def counts(self) -> dict[str, int]:
        """Overdue and due by status, at risk whatever the status, and
        approaching as the section lists them (not those at risk)."""
        return dict(self.totals)

    def sections(self) -> list[tuple[str, str, Section[Entry]]]:
        """(heading, noun, section) for each non-empty section, in order."""
        return [(h, noun, getattr(self, name)) for name, h, noun in SECTIONS if getattr(self, name)]

    @property
    def needs_attention(self) -> bool:
        return bool(self.overdue or self.due or self.at_risk)

    @property
    def quiet(self) -> bool:
        """Nothing to act on or to learn: what is left is unscheduled or done."""
        return not (self.needs_attention or self.slipped or self.approaching or self.changed)

    def capped(self, limit: int) -> Digest:
        """The same digest with at most ``limit`` entries listed per section."""
        return dataclasses.replace(
            self, **{name: getattr(self, name).capped(limit) for name, _, _ in SECTIONS}
        )


def compose_digest(
    *,
    programme: str,
    recipient: Recipient,
    as_of: date,
    since: date,
    assessments: Portfolio | Sequence[Assessment],
    changes: Iterable[ChangeLine],
    evidence: Mapping[str, str] | None = None,
) -> Digest:
    """The recipient's weekly digest as of ``as_of``, with what changed after
    ``since``. ``evidence`` gives recent completions' evidence by milestone
    id, for those completed before ``since`` (newer ones carry it in
    ``changes``)."""
    portfolio = Portfolio.of(assessments)
    mine = portfolio.followed_by(recipient)
    news: dict[str, list[ChangeLine]] = {}
    for c in changes:
        if recipient.follows(c.workstream, c.owner):
            news.setdefault(c.milestone_id, []).append(c)
    recent = as_of - timedelta(days=RECENT_DAYS)
    placed: dict[str, list[Assessment]] = {name: [] for name, _, _ in SECTIONS}
    for a in mine:
        name = _section_of(a, news.get(a.milestone.id, ()), recent)
        if name:
            placed[name].append(a)

    def days(a: Assessment) -> int:
        return a.days_to_end or 0

    def start(a: Assessment) -> int:
        return a.days_to_start or 0

    order = {
        "overdue": days,
        "due": days,
        "at_risk": start,
        "slipped": lambda a: -a.slip_days,
        "approaching": start,
        "completed": lambda a: -(a.milestone.completed_on or as_of).toordinal(),
    }
    for name, key in order.items():
        placed[name].sort(key=key)  # stable: config order among equals
    # Only the entries a section lists are built: a funder's digest counts
    # tens of thousands and lists a few hundred.
    listed = {a.milestone.id for group in placed.values() for a in group[:SECTION_LINES]}
    entries = entries_for(portfolio, listed, news, evidence or {}, recipient.language)
    counts = {
        "overdue": sum(a.status is Status.OVERDUE for a in mine),
        "due": sum(a.status is Status.DUE for a in mine),
        "at risk": sum(a.at_risk for a in mine),
        # Approaching and not already counted at risk, as the section lists them.
        "approaching": len(placed["approaching"]),
    }
    return Digest(
        programme=programme,
        as_of=as_of,
        week=iso_week(as_of),
        since=since,
        audience=recipient.audience,
        **{
            name: Section(
                tuple(entries[a.milestone.id] for a in placed[name][:SECTION_LINES]),
                len(placed[name]),
            )
            for name, _, _ in SECTIONS
        },
        totals=tuple(counts.items()),
    )


def _section_of(a: Assessment, changes: Sequence[ChangeLine], recent: date) -> str | None:
    if a.status is Status.OVERDUE:
        return "overdue"
    if a.status is Status.DUE:
        return "due"
    if a.at_risk:
        return "at_risk"
    if a.is_open and any(c.kind == EventKind.FORECAST for c in changes):
        return "slipped"
    if a.status is Status.APPROACHING:
        return "approaching"
    done = a.milestone.completed_on
    if a.status is Status.COMPLETED and done and done > recent:
        return "completed"
    if changes:
        return "changed"
    if a.status is Status.UNSCHEDULED:
        return "unscheduled"
    return None


def entries_for(
    assessments: Portfolio | Sequence[Assessment],
    ids: set[str],
    changes: Mapping[str, Sequence[ChangeLine]],
    evidence: Mapping[str, str] | None = None,
    language: str = "en",
) -> dict[str, Entry]:
    """Entries for the milestones ``ids`` names, with the titles of what they
    wait on; a completed one links to its evidence (the latest in
    ``changes``, else ``evidence``'s), else to its source."""
    known = evidence or {}
    portfolio = Portfolio.of(assessments)
    wanted = [a for a in map(portfolio.get, sorted(ids)) if a is not None]
    deps = {dep for a in wanted for dep in a.blocked_by}
    titles = {
        a.milestone.id: (a.milestone.title_ja if language == "ja" else None) or a.milestone.title
        for a in map(portfolio.get, deps)
        if a is not None
    }
    out = {}
    for a in wanted:
        mine = tuple(changes.get(a.milestone.id, ()))
        shown = [c.evidence for c in mine if c.kind == EventKind.COMPLETED and c.evidence]
        if not shown and a.status is Status.COMPLETED and a.milestone.id in known:
            shown = [known[a.milestone.id]]
        out[a.milestone.id] = Entry(
            a,
            waits_on=tuple(titles.get(dep, dep) for dep in a.blocked_by),
            changes=mine,
            link=shown[-1] if shown else a.milestone.source,
        )
    return out
