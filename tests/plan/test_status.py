"""Status, RAG, risk and slip (DESIGN §3), as one table: where a milestone stands on a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ukjp_monitor.plan import periods, status
from ukjp_monitor.plan.status import Rag, Status

D = date
#: The window most rows use: 2026-Q3 is [1 Jul, 30 Sep 2026]; the default lead is 30 days.
START, END = D(2026, 7, 1), D(2026, 9, 30)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def milestone(id: str = "subject", **fields) -> status.Milestone:
    """A milestone from table fields; target and forecast are written as in config."""
    fields.setdefault("target", "2026-Q3")
    for name in ("target", "forecast"):
        if isinstance(fields.get(name), str | None):
            fields[name] = periods.parse_period(fields.get(name))
    return status.Milestone(id=id, title=id.replace("-", " "), workstream="life-sciences", **fields)


#: The other milestones evaluated beside each row's subject, for it to depend on.
#: Their standing on the dates the dependency rows use (31 May to 1 Oct 2026) is in the comment.
NEIGHBOURS = (
    milestone("unfinished", target="2027-H1"),  # planned
    milestone("overdue", target="2026-03"),  # overdue
    milestone("done-early", target="2026-03", completed_on=D(2026, 3, 20)),  # completed
    milestone("done-later", target="2026-Q4", completed_on=D(2026, 12, 1)),  # planned, then due
    milestone("cancelled", target="2026-03", cancelled_on=D(2026, 2, 1)),  # cancelled
)


def row(description, fields, as_of, expected_status, rag, at_risk, slip_days):
    return pytest.param(fields, as_of, expected_status, rag, at_risk, slip_days, id=description)


PLANNED, APPROACHING, DUE = Status.PLANNED, Status.APPROACHING, Status.DUE
OVERDUE, COMPLETED, CANCELLED = Status.OVERDUE, Status.COMPLETED, Status.CANCELLED
UNSCHEDULED = Status.UNSCHEDULED
RED, AMBER, GREEN, GREY = Rag.RED, Rag.AMBER, Rag.GREEN, Rag.GREY
RISK, SAFE = True, False

TABLE = [
    # -- the window's boundaries, with the default lead of 30 days
    row("it is planned the day before the lead time opens",
        {}, START - days(31), PLANNED, GREEN, SAFE, 0),
    row("it is approaching on the first day of the lead time",
        {}, START - days(30), APPROACHING, GREEN, SAFE, 0),
    row("it is approaching the day before the window opens",
        {}, START - days(1), APPROACHING, GREEN, SAFE, 0),
    row("it is due on the day the window opens",
        {}, START, DUE, AMBER, SAFE, 0),
    row("it is due on the day the window closes",
        {}, END, DUE, AMBER, SAFE, 0),
    row("it is overdue the day after the window closes",
        {}, END + days(1), OVERDUE, RED, SAFE, 0),
    # -- lead time: none at all, and per milestone
    row("with no lead it is planned until the day before",
        {"lead_days": 0}, START - days(1), PLANNED, GREEN, SAFE, 0),
    row("with no lead it is due on the first day",
        {"lead_days": 0}, START, DUE, AMBER, SAFE, 0),
    row("with a week's lead it is planned eight days out",
        {"lead_days": 7}, START - days(8), PLANNED, GREEN, SAFE, 0),
    row("with a week's lead it is approaching seven days out",
        {"lead_days": 7}, START - days(7), APPROACHING, GREEN, SAFE, 0),
    row("with a month's lead it is approaching thirty days out",
        {"lead_days": 30}, START - days(30), APPROACHING, GREEN, SAFE, 0),
    row("with a month's lead it is planned thirty-one days out",
        {"lead_days": 30}, START - days(31), PLANNED, GREEN, SAFE, 0),
    row("with a ninety day lead it is approaching a quarter out",
        {"lead_days": 90}, START - days(90), APPROACHING, GREEN, SAFE, 0),
    # -- a leap-year month and a financial year
    row("a leap february is due on its 29th",
        {"target": "2028-02"}, D(2028, 2, 29), DUE, AMBER, SAFE, 0),
    row("a leap february is overdue on 1 march",
        {"target": "2028-02"}, D(2028, 3, 1), OVERDUE, RED, SAFE, 0),
    row("a financial year is planned before its lead time",
        {"target": "FY2026"}, D(2026, 3, 1), PLANNED, GREEN, SAFE, 0),
    row("a financial year is approaching on 31 march",
        {"target": "FY2026"}, D(2026, 3, 31), APPROACHING, GREEN, SAFE, 0),
    row("a financial year is due on 1 april",
        {"target": "FY2026"}, D(2026, 4, 1), DUE, AMBER, SAFE, 0),
    row("a financial year is still due on the next 31 march",
        {"target": "FY2026"}, D(2027, 3, 31), DUE, AMBER, SAFE, 0),
    row("a financial year is overdue on the next 1 april",
        {"target": "FY2026"}, D(2027, 4, 1), OVERDUE, RED, SAFE, 0),
    # -- completion
    row("it is completed on the day it is completed",
        {"completed_on": START}, START, COMPLETED, GREEN, SAFE, 0),
    row("a completion dated tomorrow does not count today",
        {"completed_on": START + days(1)}, START, DUE, AMBER, SAFE, 0),
    row("a completion before the window counts before the window",
        {"completed_on": D(2026, 5, 1)}, D(2026, 5, 15), COMPLETED, GREEN, SAFE, 0),
    row("a completion before the window counts after the window",
        {"completed_on": D(2026, 5, 1)}, END + days(1), COMPLETED, GREEN, SAFE, 0),
    row("a late completion ends an overdue milestone",
        {"completed_on": D(2026, 10, 20)}, D(2026, 11, 1), COMPLETED, GREEN, SAFE, 0),
    # -- cancellation
    row("it is cancelled after its cancellation",
        {"cancelled_on": D(2026, 5, 1)}, END + days(1), CANCELLED, GREY, SAFE, 0),
    row("it is cancelled on the day it is cancelled",
        {"cancelled_on": START}, START, CANCELLED, GREY, SAFE, 0),
    row("a cancellation wins over a completion",
        {"completed_on": D(2026, 5, 1), "cancelled_on": D(2026, 6, 1)},
        START, CANCELLED, GREY, SAFE, 0),
    row("a cancellation dated tomorrow does not count today",
        {"cancelled_on": START + days(1)}, START, DUE, AMBER, SAFE, 0),
    row("a later cancellation leaves an earlier completion standing",
        {"completed_on": D(2026, 5, 1), "cancelled_on": D(2026, 8, 1)},
        START, COMPLETED, GREEN, SAFE, 0),
    # -- unscheduled
    row("a target to be confirmed is unscheduled and amber",
        {"target": "TBC"}, START, UNSCHEDULED, AMBER, SAFE, 0),
    row("an unscheduled milestone can still be completed",
        {"target": None, "completed_on": START}, START, COMPLETED, GREEN, SAFE, 0),
    # -- re-forecasts: slip, and the window judged against the forecast
    row("a later forecast slips and is amber even while planned",
        {"forecast": "2026-Q4", "reforecast": True}, D(2026, 5, 1), PLANNED, AMBER, SAFE, 92),
    row("an earlier forecast has a negative slip and stays green",
        {"forecast": "2026-Q2", "reforecast": True}, D(2026, 2, 1), PLANNED, GREEN, SAFE, -92),
    row("a forecast to be confirmed is unscheduled without slip",
        {"forecast": None, "reforecast": True}, START, UNSCHEDULED, AMBER, SAFE, 0),
    row("a slipped milestone is planned when its target would be due",
        {"forecast": "2026-Q4", "reforecast": True}, D(2026, 8, 15), PLANNED, AMBER, SAFE, 92),
    row("a slipped milestone is due when its target would be overdue",
        {"forecast": "2026-Q4", "reforecast": True}, D(2026, 10, 15), DUE, AMBER, SAFE, 92),
    row("a pulled-in milestone is overdue when its target would be due",
        {"forecast": "2026-Q2", "reforecast": True}, START, OVERDUE, RED, SAFE, -92),
    row("a forecast from TBC to a date has no slip to measure",
        {"target": "TBC", "forecast": "2026-Q3", "reforecast": True}, START, DUE, AMBER, SAFE, 0),
    row("a forecast not marked as a re-forecast is ignored",
        {"forecast": "2026-Q4"}, END + days(1), OVERDUE, RED, SAFE, 0),
    # -- dependencies
    row("an unfinished dependency puts an approaching milestone at risk",
        {"depends_on": ("unfinished",)}, START - days(10), APPROACHING, AMBER, RISK, 0),
    row("an unfinished dependency puts a due milestone at risk",
        {"depends_on": ("unfinished",)}, START, DUE, AMBER, RISK, 0),
    row("an unfinished dependency puts an overdue milestone at risk",
        {"depends_on": ("unfinished",)}, END + days(1), OVERDUE, RED, RISK, 0),
    row("an unfinished dependency does not yet worry a planned milestone",
        {"depends_on": ("unfinished",)}, START - days(31), PLANNED, GREEN, SAFE, 0),
    row("an overdue dependency makes an approaching milestone red",
        {"depends_on": ("overdue",)}, START - days(10), APPROACHING, RED, RISK, 0),
    row("an overdue dependency does not yet worry a planned milestone",
        {"depends_on": ("overdue",)}, START - days(31), PLANNED, GREEN, SAFE, 0),
    row("a dependency completed before the as-of date is no risk",
        {"depends_on": ("done-early",)}, START, DUE, AMBER, SAFE, 0),
    row("a dependency completed after the as-of date is still a risk",
        {"depends_on": ("done-later",)}, START - days(10), APPROACHING, AMBER, RISK, 0),
    row("a cancelled dependency is a risk",
        {"depends_on": ("cancelled",)}, START - days(10), APPROACHING, AMBER, RISK, 0),
    row("a dependency that was retired is ignored",
        {"depends_on": ("retired",)}, START - days(10), APPROACHING, GREEN, SAFE, 0),
    row("one unfinished dependency among finished ones is a risk",
        {"depends_on": ("done-early", "retired", "unfinished")},
        START - days(10), APPROACHING, AMBER, RISK, 0),
    row("a completed milestone is not at risk from its dependencies",
        {"depends_on": ("overdue",), "completed_on": START}, START, COMPLETED, GREEN, SAFE, 0),
    row("a cancelled milestone is not at risk from its dependencies",
        {"depends_on": ("overdue",), "cancelled_on": START}, START, CANCELLED, GREY, SAFE, 0),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "as_of", "expected", "rag", "at_risk", "slip_days"), TABLE)
def test_where_a_milestone_stands(fields, as_of, expected, rag, at_risk, slip_days):
    subject = milestone(**fields)
    assessment, *_ = status.evaluate([subject, *NEIGHBOURS], as_of)
    assert status.status_of(subject, as_of) is expected
    got = (assessment.status, assessment.rag, assessment.at_risk, assessment.slip_days)
    assert got == (expected, rag, at_risk, slip_days)


def test_the_neighbours_stand_where_the_table_assumes():
    first, last = START - days(31), END + days(1)
    on_the_first = [status.status_of(m, first) for m in NEIGHBOURS]
    on_the_last = [status.status_of(m, last) for m in NEIGHBOURS]
    assert on_the_first == [PLANNED, OVERDUE, COMPLETED, PLANNED, CANCELLED]
    assert on_the_last == [PLANNED, OVERDUE, COMPLETED, DUE, CANCELLED]


def test_an_at_risk_milestone_names_what_blocks_it():
    subject = milestone(depends_on=("done-early", "unfinished", "retired", "cancelled"))
    assessment, *_ = status.evaluate([subject, *NEIGHBOURS], START)
    assert assessment.blocked_by == ("unfinished", "cancelled")


def test_days_to_start_and_end_count_from_the_as_of_date():
    before = status.evaluate([milestone()], START - days(10))[0]
    inside = status.evaluate([milestone()], D(2026, 8, 1))[0]
    after = status.evaluate([milestone()], END + days(3))[0]
    assert (before.days_to_start, before.days_to_end) == (10, 101)
    assert (inside.days_to_start, inside.days_to_end) == (-31, 60)
    assert (after.days_to_start, after.days_to_end) == (-94, -3)


def test_days_to_start_and_end_follow_the_forecast():
    slipped = milestone(forecast="2026-Q4", reforecast=True)
    (assessment,) = status.evaluate([slipped], END)
    assert (assessment.days_to_start, assessment.days_to_end) == (1, 92)


def test_an_unscheduled_milestone_has_no_days_to_go():
    (assessment,) = status.evaluate([milestone(target="TBC")], START)
    assert (assessment.days_to_start, assessment.days_to_end) == (None, None)


def test_evaluate_keeps_the_order_it_was_given():
    given = [*reversed(NEIGHBOURS), milestone("a-first-in-the-alphabet")]
    assessments = status.evaluate(iter(given), START)
    assert [a.milestone.id for a in assessments] == [m.id for m in given]
    assert all(a.as_of == START for a in assessments)
