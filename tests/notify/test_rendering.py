"""Rendering alerts and digests: built from pure data, no database."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader, TemplateSyntaxError

from ukjp_monitor.notify.compose import (
    ALERT_LINES,
    SECTION_LINES,
    ChangeLine,
    Recipient,
    TransitionLine,
    compose_alert,
    compose_digest,
)
from ukjp_monitor.notify.rendering import TEMPLATES, Renderer, shipped_templates
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.status import Milestone, evaluate

AS_OF = date(2026, 11, 24)
PREFIX = "[UK–Japan S&T]"
EVERYONE = Recipient("pmo@example.org", "Programme Office")
SECTIONS = (
    "Overdue",
    "Due",
    "At risk",
    "Approaching",
    "Changes since 2026-11-17",
    "Unscheduled",
    "Recently completed",
)
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def milestone(id: str, target: str | None, **kw) -> Milestone:
    kw.setdefault("title", f"Title of {id}")
    kw.setdefault("workstream", "life-sciences")
    if "forecast" in kw:
        kw["forecast"], kw["reforecast"] = parse_period(kw["forecast"]), True
    return Milestone(id=id, target=parse_period(target), **kw)


def plan(**titles: str) -> list[Milestone]:
    """One milestone in every section, as of 2026-11-24."""
    return [
        milestone("late", "2026-Q3", forecast="2026-10", owner="DSIT"),
        milestone("now", "2026-H2", depends_on=("late",)),
        milestone("soon", "2026-12-10", depends_on=("tbc",)),
        milestone("tbc", None, title=titles.get("tbc", "Title of tbc")),
        milestone("done", "2026-10", completed_on=date(2026, 10, 30)),
        milestone("later", "2027", workstream="quantum"),
    ]


CHANGES = (
    ChangeLine("late", "Title of late", "life-sciences", "status", "due", "overdue", AS_OF),
    ChangeLine("late", "Title of late", "life-sciences", "forecast", "2026-Q3", "2026-10", AS_OF),
    ChangeLine("done", "Title of done", "life-sciences", "completed", None, "2026-10-30", AS_OF),
)


def make_digest(milestones=None, changes=CHANGES, recipient=EVERYONE):
    return compose_digest(
        programme="UK–Japan Science and Technology Partnership",
        recipient=recipient,
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(milestones or plan(), AS_OF),
        changes=changes,
    )


def make_alert(title: str = "Title of late"):
    lines = [
        TransitionLine(
            1, "late", title, "life-sciences", AS_OF, "due", "overdue", False, False, "2026-10"
        ),
        TransitionLine(
            2, "now", "Title of now", "life-sciences", AS_OF, "due", "due", False, True, "2026-H2"
        ),
    ]
    return compose_alert(
        programme="UK–Japan Science and Technology Partnership",
        recipient=EVERYONE,
        as_of=AS_OF,
        lines=lines,
    )


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(subject_prefix=PREFIX)


def positions(haystack: str, needles) -> list[int]:
    return [haystack.index(needle) for needle in needles]


def html_headings(html: str) -> list[str]:
    cells = re.findall(r'<td class="section"[^>]*>(.*?)<span', html, re.S)
    return [cell.strip() for cell in cells]


def test_the_templates_are_found_in_the_repository_when_not_installed():
    assert all((shipped_templates() / name).is_file() for name in TEMPLATES)


def test_the_digest_subject_counts_what_needs_attention(renderer):
    assert renderer.digest(make_digest()).subject == (
        f"{PREFIX} Weekly digest 2026-W48 — 1 overdue, 1 due, 2 at risk, 1 approaching"
    )


def test_a_quiet_week_says_nothing_needs_attention(renderer):
    quiet = make_digest([milestone("later", "2027")], changes=())
    rendered = renderer.digest(quiet)
    assert rendered.subject == f"{PREFIX} Weekly digest 2026-W48 — nothing needs attention"
    assert "Nothing needs attention this week." in rendered.text
    assert "Nothing needs attention this week." in rendered.html


def test_the_alert_subject_counts_new_transitions(renderer):
    assert renderer.alert(make_alert()).subject == f"{PREFIX} Alert — 1 overdue, 1 at risk"


def test_text_sections_come_in_the_agreed_order(renderer):
    text = renderer.digest(make_digest()).text
    headings = [f"{name} (" for name in SECTIONS]
    found = positions(text, headings)
    assert found == sorted(found)


def test_html_sections_come_in_the_agreed_order(renderer):
    assert html_headings(renderer.digest(make_digest()).html) == list(SECTIONS)


def test_empty_sections_are_left_out(renderer):
    only_unscheduled = make_digest([milestone("tbc", None)], changes=())
    rendered = renderer.digest(only_unscheduled)
    assert html_headings(rendered.html) == ["Unscheduled"]
    for name in SECTIONS[:-2] + SECTIONS[-1:]:
        assert f"{name} (" not in rendered.text


def test_each_row_shows_window_days_owner_and_slip(renderer):
    text = renderer.digest(make_digest()).text
    late = " ".join(text[text.index("* Title of late") :].split("\n\n")[0].split())
    assert "2026-10 (re-forecast from 2026-Q3)" in late
    assert "24 days overdue" in late
    assert "Owner: DSIT" in late
    assert "slipped 31 days" in late
    assert "RED" in late


def test_at_risk_rows_say_what_they_wait_on(renderer):
    rendered = renderer.digest(make_digest())
    assert "Waits on Title of late (late)" in rendered.text
    assert "Waits on Title of tbc (tbc)" in rendered.text
    assert "Waits on Title of late" in rendered.html


def test_changes_read_as_old_and_new_values(renderer):
    rendered = renderer.digest(make_digest())
    for words in (
        "status due → overdue",
        "re-forecast 2026-Q3 → 2026-10",
        "completed on 2026-10-30",
    ):
        assert words in rendered.text
        assert words in rendered.html


def test_a_recipient_sees_only_the_workstreams_they_follow(renderer):
    quantum = Recipient("q@example.org", workstreams=("quantum",))
    both = [milestone("late", "2026-Q3"), milestone("q", "2026-Q3", workstream="quantum")]
    rendered = renderer.digest(make_digest(both, recipient=quantum))
    assert "Title of q" in rendered.text
    assert "Title of late" not in rendered.text + rendered.html
    assert "You follow quantum" in rendered.html


def test_the_plain_text_fits_in_72_columns(renderer):
    long = "A very long milestone title " * 6
    rendered = renderer.digest(make_digest(plan(tbc=long)))
    assert max(len(line) for line in rendered.text.splitlines()) <= 72


def test_the_alert_lists_each_transition_with_old_and_new_status(renderer):
    rendered = renderer.alert(make_alert())
    assert "Now overdue: status due → overdue" in rendered.text
    assert "Now at risk: status due → due" in rendered.text
    assert "Window: 2026-10" in rendered.text
    assert "now overdue" in rendered.html
    assert "status due → overdue" in rendered.html


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_are_escaped_in_html(renderer, title):
    digest = renderer.digest(make_digest(plan(tbc=title))).html
    alert = renderer.alert(make_alert(title)).html
    for html in (digest, alert):
        assert "<script" not in html
        assert "<img" not in html
        assert "&lt;" in html


def test_line_breaks_in_a_title_cannot_break_the_subject(renderer):
    evil = Renderer(subject_prefix="[X]\r\nBcc: victim@example.org")
    rendered = evil.alert(make_alert("Late\r\nBcc: x@example.org"))
    assert not set("\r\n\x0b\x0c\x85\u2028") & set(rendered.subject)
    assert rendered.subject.startswith("[X] Bcc: victim@example.org Alert")


def test_css_is_inlined_into_the_cells(renderer):
    html = renderer.digest(make_digest()).html
    assert "<style" not in html
    assert re.search(r'<td class="row" style="[^"]*padding', html)
    assert re.search(r'<span class="pill pill-red" style="[^"]*background-color', html)


def test_rag_badges_carry_the_word_not_just_a_colour(renderer):
    html = renderer.digest(make_digest()).html
    for rag in ("red", "amber", "green"):
        assert re.search(rf'class="pill pill-{rag}"[^>]*>{rag.capitalize()}</span>', html)


def test_a_user_template_overrides_just_that_one(tmp_path):
    (tmp_path / "digest.subject.j2").write_text("Custom {{ digest.week }}: {{ headline }}\n")
    rendered = Renderer(subject_prefix=PREFIX, template_dir=tmp_path).digest(make_digest())
    assert rendered.subject == "Custom 2026-W48: 1 overdue, 1 due, 2 at risk, 1 approaching"
    assert "Weekly digest 2026-W48" in rendered.text  # still the shipped text template
    assert "Weekly digest 2026-W48" in rendered.html


def test_a_broken_override_fails_when_the_renderer_is_built(tmp_path):
    (tmp_path / "alert.html.j2").write_text("{% if %}")
    with pytest.raises(TemplateSyntaxError) as error:
        Renderer(subject_prefix=PREFIX, template_dir=tmp_path)
    assert error.value.filename == str(tmp_path / "alert.html.j2")


def test_templates_are_compiled_once_however_many_messages(monkeypatch):
    loads: dict[str, int] = {}
    get_source = FileSystemLoader.get_source

    def counting(loader, environment, template):
        loads[template] = loads.get(template, 0) + 1
        return get_source(loader, environment, template)

    monkeypatch.setattr(FileSystemLoader, "get_source", counting)
    renderer = Renderer(subject_prefix=PREFIX)
    digest, alert = make_digest(), make_alert()
    for _ in range(200):
        renderer.digest(digest)
        renderer.alert(alert)
    assert set(TEMPLATES) <= set(loads)
    assert set(loads.values()) == {1}


def test_the_shipped_templates_folder_is_the_repositorys():
    assert shipped_templates() == Path(__file__).resolve().parents[2] / "templates"


def many_changes(n: int) -> list[TransitionLine]:
    statuses = ["approaching", "due", "overdue"]
    return [
        TransitionLine(
            i,
            f"m-{i}",
            f"Milestone {i}",
            "quantum",
            date(2026, 11, 24),
            None,
            statuses[i % 3],
            None,
            False,
            "2026-H2",
        )
        for i in range(n)
    ]


def test_a_long_alert_lists_the_most_urgent_hundred_and_counts_the_rest(renderer):
    alert = compose_alert(
        programme="P",
        recipient=Recipient("a@example.org"),
        as_of=date(2026, 11, 24),
        lines=many_changes(250),
    )
    assert len(alert.lines) == ALERT_LINES and alert.omitted == 150
    assert alert.counts() == {"overdue": 83, "due": 83, "approaching": 84, "at risk": 0}
    assert [line.new_status for line in alert.lines[:83]] == ["overdue"] * 83
    rendered = renderer.alert(alert)
    assert "83 overdue, 83 due, 84 approaching" in rendered.subject
    assert "…and 150 more" in rendered.text
    assert "and 150 more" in rendered.html


def test_a_long_digest_section_lists_fifty_and_counts_the_rest(renderer):
    late = [milestone(f"late-{i:03d}", "2026-03") for i in range(SECTION_LINES + 70)]
    digest = make_digest(late + plan(), changes=[])
    assert len(digest.overdue.shown) == SECTION_LINES and digest.overdue.omitted == 71
    assert digest.counts()["overdue"] == SECTION_LINES + 70 + 1  # and plan()'s own
    rendered = renderer.digest(digest)
    assert f"Overdue ({SECTION_LINES + 71})" in rendered.text
    assert "…and 71 more; 'ukjp-monitor status' lists every milestone." in rendered.text
    assert "and 71 more" in rendered.html
    assert "late-119" not in rendered.text  # the 120th is left out
    assert "more;" not in rendered.text.split("Due (")[1]  # short sections are whole
