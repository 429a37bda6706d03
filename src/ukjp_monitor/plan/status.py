"""Where each milestone stands: a pure function of (milestones, as-of date).

No clock, database or environment in here. The rules, first match wins:

=============  =============================================
cancelled      cancelled on or before the as-of date
completed      completed on or before the as-of date
unscheduled    no window (target and forecast TBC)
overdue        as-of date after the window's end
due            inside the window
approaching    within ``lead_days`` before the window opens
planned        earlier than that
=============  =============================================

A completion (or cancellation) dated after the as-of date does not count, so
evaluating an earlier date replays what was known then about progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from ukjp_monitor.plan.periods import Period


class Status(StrEnum):
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    UNSCHEDULED = "unscheduled"
    OVERDUE = "overdue"
    DUE = "due"
    APPROACHING = "approaching"
    PLANNED = "planned"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    GREY = "grey"


#: The live statuses, most urgent first: moving into one is worth an alert,
#: and in one an unfinished dependency puts a milestone at risk (DESIGN §3).
#: Alerts count and list them in this order.
ALERT_STATUSES = (Status.OVERDUE, Status.DUE, Status.APPROACHING)
#: The order in which exceptions are reported: most urgent first.
URGENCY = (
    *ALERT_STATUSES,
    Status.PLANNED,
    Status.UNSCHEDULED,
    Status.COMPLETED,
    Status.CANCELLED,
)


@dataclass(frozen=True, slots=True)
class Milestone:
    """What evaluation needs to know about one milestone, plus what it shows."""

    id: str
    title: str
    workstream: str
    target: Period | None
    lead_days: int = 30
    forecast: Period | None = None
    reforecast: bool = False
    completed_on: date | None = None
    cancelled_on: date | None = None
    depends_on: tuple[str, ...] = ()
    owner: str | None = None
    source: str | None = None  # where the promise was made: a link for readers
    title_ja: str | None = None  # for Japanese readers; None: the title
    owner_ja: str | None = None

    @property
    def window(self) -> Period | None:
        """The window status is judged against: the forecast once re-forecast."""
        return self.forecast if self.reforecast else self.target


@dataclass(frozen=True, slots=True)
class Assessment:
    """A milestone's standing as of one date."""

    milestone: Milestone
    as_of: date
    status: Status
    rag: Rag
    slip_days: int
    at_risk: bool = False
    blocked_by: tuple[str, ...] = field(default=())

    @property
    def days_to_start(self) -> int | None:
        window = self.milestone.window
        return (window.start - self.as_of).days if window else None

    @property
    def days_to_end(self) -> int | None:
        """Days left until the window closes; negative once overdue."""
        window = self.milestone.window
        return (window.end - self.as_of).days if window else None

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.COMPLETED, Status.CANCELLED)


def status_of(milestone: Milestone, as_of: date) -> Status:
    """The milestone's status on ``as_of`` (dependencies aside)."""
    if milestone.cancelled_on is not None and milestone.cancelled_on <= as_of:
        return Status.CANCELLED
    if milestone.completed_on is not None and milestone.completed_on <= as_of:
        return Status.COMPLETED
    window = milestone.window
    if window is None:
        return Status.UNSCHEDULED
    if as_of > window.end:
        return Status.OVERDUE
    if as_of >= window.start:
        return Status.DUE
    if as_of >= window.start - timedelta(days=milestone.lead_days):
        return Status.APPROACHING
    return Status.PLANNED


def slip_days(milestone: Milestone) -> int:
    """Forecast end minus target end; 0 unless re-forecast with both known."""
    if milestone.reforecast and milestone.forecast and milestone.target:
        return (milestone.forecast.end - milestone.target.end).days
    return 0


def evaluate(milestones: Iterable[Milestone], as_of: date) -> list[Assessment]:
    """Assess every milestone as of ``as_of``, in the order given.

    Dependencies outside ``milestones`` (retired ones) are ignored.
    """
    milestones = list(milestones)
    statuses = {m.id: status_of(m, as_of) for m in milestones}
    return [_assess(m, statuses, as_of) for m in milestones]


def _assess(milestone: Milestone, statuses: dict[str, Status], as_of: date) -> Assessment:
    status = statuses[milestone.id]
    blocked_by: tuple[str, ...] = ()
    if status in ALERT_STATUSES:
        blocked_by = tuple(
            dep
            for dep in milestone.depends_on
            if dep in statuses and statuses[dep] is not Status.COMPLETED
        )
    slip = slip_days(milestone)
    overdue_dependency = any(statuses[dep] is Status.OVERDUE for dep in blocked_by)
    return Assessment(
        milestone=milestone,
        as_of=as_of,
        status=status,
        rag=rag_of(
            status, at_risk=bool(blocked_by), overdue_dependency=overdue_dependency, slip=slip
        ),
        slip_days=slip,
        at_risk=bool(blocked_by),
        blocked_by=blocked_by,
    )


def alert_rank(status: str) -> int:
    """Where a line about ``status`` comes in an alert: overdue 0, due 1,
    approaching 2, any other status after them."""
    return ALERT_STATUSES.index(status) if status in ALERT_STATUSES else len(ALERT_STATUSES)


def rag_of(status: Status, *, at_risk: bool, overdue_dependency: bool, slip: int) -> Rag:
    """Red, amber, green or grey; first match wins (see DESIGN §3)."""
    if status is Status.CANCELLED:
        return Rag.GREY
    if status is Status.COMPLETED:
        return Rag.GREEN
    if status is Status.OVERDUE or overdue_dependency:
        return Rag.RED
    if status in (Status.DUE, Status.UNSCHEDULED) or at_risk or slip > 0:
        return Rag.AMBER
    return Rag.GREEN
