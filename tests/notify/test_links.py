"""Links to the status page (``web.base_url``) in both parts of every message,
and the foot that says in words what the reader follows."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from ukjp_monitor.notify.alerts import compose_alert
from ukjp_monitor.notify.compose import SECTION_LINES, compose_digest
from ukjp_monitor.notify.links import Links
from ukjp_monitor.notify.rendering import Renderer
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.records import Audience, Recipient, TransitionLine
from ukjp_monitor.plan.status import Milestone, evaluate

AS_OF = date(2026, 11, 24)
BASE = "https://status.example.org"
NAMES = {"life-sciences": "Life Sciences and Healthcare", "quantum": "Quantum"}
PMO = Recipient("pmo@example.org", "Programme Office")
LEAD = Recipient("lead@example.org", workstreams=("life-sciences",))
HOLDER = Recipient("holder@example.org", workstreams=(), owners=("Dr Aiko Tanaka",))


def milestone(id: str, target: str, **kw) -> Milestone:
    kw.setdefault("title", f"Title of {id}")
    kw.setdefault("workstream", "life-sciences")
    return Milestone(id=id, target=parse_period(target), **kw)


def digest_for(recipient: Recipient, milestones: list[Milestone]):
    return compose_digest(
        programme="UK–Japan Science and Technology Partnership",
        recipient=recipient,
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(milestones, AS_OF),
        changes=[],
    )


def alert_for(recipient: Recipient, milestones: list[Milestone]):
    lines = [
        TransitionLine(
            i, m.id, m.title, m.workstream, AS_OF, None, "overdue", None, False, None, m.owner
        )
        for i, m in enumerate(milestones, 1)
    ]
    return compose_alert(
        programme="UK–Japan Science and Technology Partnership",
        recipient=recipient,
        as_of=AS_OF,
        lines=lines,
        assessments=evaluate(milestones, AS_OF),
    )


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


@pytest.fixture(scope="module")
def linked() -> Renderer:
    return Renderer(subject_prefix="[X]", base_url=BASE + "/", workstream_names=NAMES)


LATE = [milestone("late", "2026-09", owner="Dr Aiko Tanaka"), milestone("soon", "2026-12")]


def test_each_milestone_links_to_its_page_in_both_parts(linked):
    rendered = linked.digest(digest_for(PMO, LATE))
    for mid in ("late", "soon"):
        page = f"{BASE}/milestones/{mid}"
        assert page in hrefs(rendered.html)
        assert f"  {page}\n" in rendered.text  # on a line of its own, where [id] stood


def test_an_alert_links_each_change_to_the_milestones_page(linked):
    rendered = linked.alert(alert_for(PMO, LATE))
    assert f"{BASE}/milestones/late" in hrefs(rendered.html)
    assert f"{BASE}/milestones/late" in rendered.text


def test_without_a_base_url_a_message_has_no_status_page_links():
    rendered = Renderer(subject_prefix="[X]").digest(digest_for(PMO, LATE))
    assert "/milestones/" not in rendered.text + rendered.html
    assert "[late]" in rendered.text


def test_a_counted_remainder_links_to_the_overview_filtered_to_what_the_reader_follows(linked):
    many = [milestone(f"late-{i:03d}", "2026-03") for i in range(SECTION_LINES + 5)]
    rendered = linked.digest(digest_for(LEAD, many))
    overview = f"{BASE}/?status=overdue&workstream=life-sciences"
    assert overview in hrefs(rendered.html)
    assert "See them all on the status page" in rendered.html
    assert f"See them all on the status page: {overview}" in " ".join(rendered.text.split())
    assert f"\n{overview}\n" in rendered.text  # whole, on a line of its own


def test_a_long_alert_links_its_remainder_to_the_readers_overview(linked):
    owned = [milestone(f"g-{i:03d}", "2026-03", owner="Dr Aiko Tanaka") for i in range(120)]
    rendered = linked.alert(alert_for(HOLDER, owned))
    assert f"{BASE}/?owner=Dr%20Aiko%20Tanaka" in hrefs(rendered.html)
    assert f"{BASE}/?owner=Dr%20Aiko%20Tanaka\n" in rendered.text


@pytest.mark.parametrize(
    ("audience", "section", "address"),
    [
        (Audience("all"), "overdue", f"{BASE}/?status=overdue"),
        (Audience(("quantum", "space")), "due", f"{BASE}/?status=due"),
        (Audience(("quantum",)), "due", f"{BASE}/?status=due&workstream=quantum"),
        (Audience((), ("Dr A & B",)), "at risk", f"{BASE}/?owner=Dr%20A%20%26%20B#s-at_risk"),
        (Audience(("quantum",), ("Dr A",)), "slipped", f"{BASE}/#s-slipped"),
        (Audience("all"), None, f"{BASE}/"),
    ],
)
def test_overview_links_narrow_by_status_or_section_and_by_what_is_followed(
    audience, section, address
):
    assert Links(BASE).overview(audience, section) == address


def test_a_milestone_id_is_quoted_in_its_address():
    assert Links(BASE).milestone("a/../b") == f"{BASE}/milestones/a%2F..%2Fb"


@pytest.mark.parametrize(
    ("recipient", "words"),
    [
        (PMO, "You follow all workstreams."),
        (LEAD, "You follow the Life Sciences and Healthcare workstream."),
        (HOLDER, "You follow milestones owned by Dr Aiko Tanaka."),
        (
            Recipient("x@example.org", workstreams=("life-sciences", "quantum"), owners=("DSIT",)),
            "You follow the Life Sciences and Healthcare and Quantum workstreams, "
            "and milestones owned by DSIT.",
        ),
    ],
)
def test_the_foot_says_in_words_what_the_reader_follows(linked, recipient, words):
    owned = [milestone("late", "2026-09", owner="Dr Aiko Tanaka")]
    for rendered in (
        linked.digest(digest_for(recipient, owned)),
        linked.alert(alert_for(recipient, owned)),
    ):
        assert words in " ".join(rendered.text.split())
        assert words in " ".join(unescape(re.sub(r"<[^>]+>", " ", rendered.html)).split())


def test_a_completion_recorded_before_the_last_digest_still_links_its_evidence(linked):
    done = milestone(
        "done", "2026-10", completed_on=date(2026, 11, 2), source="https://gov.example"
    )
    digest = compose_digest(
        programme="UK–Japan Science and Technology Partnership",
        recipient=PMO,
        as_of=AS_OF,
        since=date(2026, 11, 17),  # completed two weeks before that
        assessments=evaluate([done, milestone("late", "2026-09")], AS_OF),
        changes=[],
        evidence={"done": "https://example.org/minutes"},
    )
    [entry] = digest.completed
    assert entry.link == "https://example.org/minutes"
    rendered = linked.digest(digest)
    assert "Evidence: https://example.org/minutes" in rendered.text
    assert "gov.example" not in rendered.text


def test_an_open_milestone_links_its_source_whatever_evidence_is_on_record(linked):
    reopened = milestone("again", "2026-12", source="https://gov.example/news")
    digest = compose_digest(
        programme="P",
        recipient=PMO,
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate([reopened], AS_OF),
        changes=[],
        evidence={"again": "https://example.org/old-minutes"},
    )
    [entry] = digest.approaching
    assert entry.link == "https://gov.example/news"
