"""What a send reads from the store, all of it before anything is composed.

The sending path has a pure middle (DESIGN §10): once the claims are known,
a ``Loader``'s ``alerts`` or ``digests`` reads, in the caller's thread and
over one connection, everything the messages for them need into a ``Loaded``.
Composing (``notify.compose``, ``notify.alerts``) and rendering
(``notify.rendering``) then work on that alone and never open the database,
so they can run anywhere, in any order, as often as wanted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from ukjp_monitor.notify.compose import RECENT_DAYS
from ukjp_monitor.notify.routing import CheckLines, Portfolio
from ukjp_monitor.plan.records import ChangeLine
from ukjp_monitor.plan.status import Milestone, evaluate
from ukjp_monitor.store import changes, ledger, queries, transitions

K = TypeVar("K")
V = TypeVar("V")


def _frozen(mapping: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Loaded:
    """The store's answer for one send: plain data, never changed once loaded.

    ``assessments`` is the plan evaluated as of each day a claim is for;
    ``checks`` the alertable lines of each claimed check; ``changes`` what
    changed since each day a digest's "changes since" starts;
    ``last_sent`` when each recipient's latest digest went; ``evidence``
    what was recorded with each recent completion.
    """

    timezone: ZoneInfo
    assessments: Mapping[date, Portfolio]
    checks: Mapping[int, CheckLines] = field(default_factory=lambda: _frozen({}))
    changes: Mapping[date, tuple[ChangeLine, ...]] = field(default_factory=lambda: _frozen({}))
    last_sent: Mapping[str, datetime] = field(default_factory=lambda: _frozen({}))
    evidence: Mapping[str, str] = field(default_factory=lambda: _frozen({}))

    def since(self, email: str, as_of: date) -> date:
        """The day a recipient's "changes since" starts: the day (in the
        programme's time zone) their last digest went, else a week before
        ``as_of``. Everyone who got last week's digest the same day, and
        follows the same things, is told the same changes."""
        return _since(self.last_sent.get(email), as_of, self.timezone)

    def check(self, check_id: int | None) -> CheckLines:
        """The alertable lines of check ``check_id`` (none for no check)."""
        found = self.checks.get(check_id) if check_id is not None else None
        return found or CheckLines(check_id, ())


class Loader:
    """Reads what sends need from ``engine``.

    A check assesses the plan as of a day, records what moved, and composes
    its alerts from the same assessment: at 100,000 milestones each reading
    and evaluation of the plan takes seconds, so ``portfolio`` and
    ``alerts`` share one reading of the plan and one evaluation per day,
    until ``forget``. An alert then tells the state its transitions were
    recorded from. A digest joins the plan with the changes since the last
    digest, so ``digests`` reads both afresh over one connection, and a
    completion recorded meanwhile is in both or in neither.
    """

    def __init__(self, engine: Engine, timezone: ZoneInfo):
        self.engine, self.timezone = engine, timezone
        self._plan: list[Milestone] | None = None
        self._portfolios: dict[date, Portfolio] = {}

    def portfolio(self, day: date) -> Portfolio:
        """Every live milestone's assessment as of ``day``."""
        if day not in self._portfolios:
            with self.engine.connect() as conn:
                self._portfolios[day] = self._portfolio(conn, day)
        return self._portfolios[day]

    def forget(self) -> None:
        """Let go of the plan read so far; the next reading is afresh."""
        self._plan, self._portfolios = None, {}

    def alerts(self, claims: Iterable[ledger.Claim]) -> Loaded:
        """What the alerts for ``claims`` say: their checks' lines and the
        plan as of each of their days."""
        claims = list(claims)
        check_ids = sorted({c.check_id for c in claims if c.check_id is not None})
        with self.engine.connect() as conn:
            checks = {i: CheckLines.of(i, transitions.load_check_lines(conn, i)) for i in check_ids}
            assessed = self._assessed(conn, {c.as_of for c in claims})
        return Loaded(self.timezone, assessed, checks=_frozen(checks))

    def digests(self, wanted: Iterable[tuple[str, date]]) -> Loaded:
        """What the digests for ``wanted`` (recipient, as of) say: the plan as
        of each day, each recipient's last digest, and the changes since it.

        Read before any of these digests is marked sent, so each recipient's
        changes start from their previous digest, not from this one.
        """
        wanted, timezone = list(wanted), self.timezone
        with self.engine.connect() as conn:
            last_sent = _frozen(ledger.last_digests_sent(conn))
            starts = {_since(last_sent.get(email), as_of, timezone) for email, as_of in wanted}
            changed = {day: _changes_since(conn, day, timezone) for day in sorted(starts)}
            days = sorted({as_of for _, as_of in wanted})
            plan = queries.load_plan(conn) if days else []
            assessed = _frozen({day: Portfolio(tuple(evaluate(plan, day))) for day in days})
            recent = min((as_of for _, as_of in wanted), default=None)
            evidence = (
                changes.completion_evidence(conn, recent - timedelta(days=RECENT_DAYS))
                if recent
                else {}
            )
        return Loaded(
            timezone,
            assessed,
            changes=_frozen(changed),
            last_sent=last_sent,
            evidence=_frozen(evidence),
        )

    def _assessed(self, conn: Connection, days: Iterable[date]) -> Mapping[date, Portfolio]:
        return _frozen({day: self._portfolio(conn, day) for day in sorted(set(days))})

    def _portfolio(self, conn: Connection, day: date) -> Portfolio:
        if day not in self._portfolios:
            if self._plan is None:
                self._plan = queries.load_plan(conn)
            self._portfolios[day] = Portfolio(tuple(evaluate(self._plan, day)))
        return self._portfolios[day]


def _since(last: datetime | None, as_of: date, timezone: ZoneInfo) -> date:
    return last.astimezone(timezone).date() if last else as_of - timedelta(days=7)


def _changes_since(conn: Connection, day: date, timezone: ZoneInfo) -> tuple[ChangeLine, ...]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone)
    return tuple(changes.changes_since(conn, start))
