"""A day's assessments, indexed: each reader's milestones are picked, not searched."""

from datetime import date

from ukjp_monitor.notify.compose import compose_digest
from ukjp_monitor.notify.routing import Portfolio
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.records import Recipient
from ukjp_monitor.plan.status import Milestone, evaluate

AS_OF = date(2026, 11, 24)
PLAN = [
    Milestone(
        id=f"g-{i}",
        title=f"Grant {i}",
        workstream=f"w{i % 3}",
        target=parse_period("2026-09"),
        owner=f"Holder {i % 5}",
    )
    for i in range(30)
]


def test_a_reader_gets_the_milestones_of_their_workstreams_or_owners_in_programme_order():
    portfolio = Portfolio.of(evaluate(PLAN, AS_OF))
    reader = Recipient("r@example.org", workstreams=("w1",), owners=("Holder 0",))
    picked = [a.milestone.id for a in portfolio.followed_by(reader)]
    searched = [m.id for m in PLAN if m.workstream == "w1" or m.owner == "Holder 0"]
    assert picked == searched


def test_a_digest_composed_from_the_index_is_the_one_composed_from_the_list():
    assessments = evaluate(PLAN, AS_OF)
    reader = Recipient("r@example.org", workstreams=(), owners=("Holder 3",))
    kwargs = dict(programme="P", recipient=reader, as_of=AS_OF, since=AS_OF, changes=[])
    assert compose_digest(assessments=Portfolio.of(assessments), **kwargs) == compose_digest(
        assessments=assessments, **kwargs
    )
