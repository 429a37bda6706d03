"""One shape per concept (DESIGN §10): one wording per kind of event, one set
of alert statuses, each defined in plan/ and used everywhere else."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import ROOT
from ukjp_monitor.plan import history
from ukjp_monitor.plan.history import EventKind, describe, describe_change
from ukjp_monitor.plan.records import ChangeLine, TransitionLine
from ukjp_monitor.plan.status import ALERT_STATUSES, URGENCY, Status, alert_rank

NOV_2 = date(2026, 11, 2)
PACKAGE = ROOT / "src" / "ukjp_monitor"


def change(kind: str, old: str | None, new: str | None) -> ChangeLine:
    return ChangeLine("subject", "Subject", "life-sciences", kind, old, new, NOV_2)


def transition(old: str | None, new: str, *, old_at_risk=False, at_risk=False) -> TransitionLine:
    return TransitionLine(1, "subject", "S", "ls", NOV_2, old, new, old_at_risk, at_risk, None)


# (kind, audit-trail details, digest old and new, the words both use)
WORDINGS = [
    ("forecast", {"old": "2026-Q3", "new": "2026-10"}, ("2026-Q3", "2026-10"),
     "re-forecast 2026-Q3 → 2026-10"),
    ("rebaselined", {"old": "2026-H2", "new": "2027-H1"}, ("2026-H2", "2027-H1"),
     "target re-baselined 2026-H2 → 2027-H1"),
    ("completed", {"on": "2026-10-30"}, (None, "2026-10-30"), "completed on 2026-10-30"),
    ("reopened", {"previous": "2026-10-30"}, ("2026-10-30", None),
     "completion on 2026-10-30 withdrawn"),
    ("reinstated", {"on": "2026-11-02"}, (None, "2026-11-02"), "cancellation withdrawn"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "details", "old_new", "words"), WORDINGS)
def test_each_kind_of_progress_reads_the_same_in_the_audit_trail_and_the_digest(
    kind, details, old_new, words
):
    assert describe(kind, details) == words
    assert describe_change(change(kind, *old_new)) == words


def test_a_cancellation_reads_with_its_date_in_the_digest_and_its_reason_in_the_audit_trail():
    assert describe_change(change("cancelled", None, "2026-11-02")) == "cancelled on 2026-11-02"
    assert describe("cancelled", {"on": "2026-11-02", "reason": "descoped"}) == (
        "cancelled, because descoped"
    )


def test_no_date_reads_as_tbc_in_mail_and_none_in_the_audit_trail():
    assert describe_change(change("forecast", "2026-Q3", None)) == "re-forecast 2026-Q3 → TBC"
    assert describe("forecast", {"old": "2026-Q3", "new": None}) == "re-forecast 2026-Q3 → none"


def test_a_completion_moved_to_another_day_says_what_it_was():
    assert describe_change(change("completed", "2026-10-01", "2026-10-30")) == (
        "completed on 2026-10-30 (was 2026-10-01)"
    )
    assert describe_change(change("reopened", None, None)) == "completion withdrawn"


def test_a_status_change_reads_the_same_in_the_audit_trail_alerts_and_the_digest():
    words = "status due → overdue"
    assert describe(EventKind.TRANSITION, {"old": "due", "new": "overdue", "as_of": NOV_2}) == (
        f"{words} as of 2026-11-02"
    )
    assert history.describe_transition(transition("due", "overdue")) == words
    assert describe_change(change("status", "due", "overdue")) == words
    assert history.describe_transition(transition(None, "due")) == "status new → due"


#: How each kind's wording starts; only plan/history.py may spell one out, at
#: the start of a string or after an "{id}: " (an error message may say
#: "was cancelled on …" in its own words).
WORDS = ["re-forecast {", "target re-baselined {", "completed on {", "completion on {",
         "cancelled on {", "cancellation withdrawn", "status {"]  # fmt: skip


def test_no_module_but_plan_history_words_an_event():
    spelled = {
        f"{path.relative_to(PACKAGE)}: {fragment}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "history.py"
        for fragment in WORDS
        if re.search(r"""f?["'](\{[^}]*\}: )?""" + re.escape(fragment), path.read_text())
    }
    assert spelled == set()


def test_the_alert_statuses_are_the_live_ones_most_urgent_first():
    assert ALERT_STATUSES == (Status.OVERDUE, Status.DUE, Status.APPROACHING)
    assert URGENCY[: len(ALERT_STATUSES)] == ALERT_STATUSES
    ranked = sorted(["approaching", "planned", "overdue", "due"], key=alert_rank)
    assert ranked == ["overdue", "due", "approaching", "planned"]


@pytest.mark.parametrize(
    ("old", "new", "entered"),
    [
        ("planned", "approaching", True),
        ("approaching", "due", True),
        ("due", "overdue", True),
        (None, "due", True),
        ("due", "due", False),
        ("overdue", "completed", False),
        ("planned", "cancelled", False),
    ],
)
def test_only_a_move_into_an_alert_status_is_news(old, new, entered):
    line = transition(old, new)
    assert line.entered_alert_status is entered
    assert line.alertable is entered


def test_becoming_at_risk_is_news_whatever_the_status():
    assert transition("due", "due", at_risk=True).alertable
    assert not transition("due", "due", old_at_risk=True, at_risk=True).alertable


def test_no_module_but_plan_spells_out_the_alert_statuses():
    spelled = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.parent.name != "plan"
        and re.search(r"""["']overdue["']\s*[:,].*["']due["']""", path.read_text())
    }
    assert spelled == set()
