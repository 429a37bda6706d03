"""Rendering alerts and digests: built from pure data, no database."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader, TemplateSyntaxError

from ukjp_monitor.notify.alerts import ALERT_LINES, compose_alert
from ukjp_monitor.notify.compose import SECTION_LINES, compose_digest
from ukjp_monitor.notify.letters import MAX_BYTES, wire_size
from ukjp_monitor.notify.rendering import TEMPLATES, Renderer, shipped_templates
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.records import ChangeLine, Recipient, TransitionLine
from ukjp_monitor.plan.status import Milestone, evaluate
from ukjp_monitor.plan.words import LANGUAGES

AS_OF = date(2026, 11, 24)
PREFIX = "[UK–Japan S&T]"
EVERYONE = Recipient("pmo@example.org", "Programme Office")
SECTIONS = (
    "Overdue",
    "Due",
    "At risk",
    "Slipped",
    "Approaching",
    "Other changes since Tue 17 Nov 2026",
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


SOURCE = "https://www.gov.uk/government/news/uk-and-japan-strengthen-science-and-technology-ties"


def plan(**titles: str) -> list[Milestone]:
    """One milestone in every section, as of 2026-11-24."""
    return [
        milestone("late", "2026-Q3", forecast="2026-10", owner="DSIT", source=SOURCE),
        milestone("now", "2026-H2", depends_on=("late",)),
        milestone("soon", "2026-12-10", depends_on=("tbc",)),
        milestone("moved", "2027-Q1", forecast="FY2027"),
        milestone("next", "2026-12-20"),
        milestone("rebased", "2027-06"),
        milestone("tbc", None, title=titles.get("tbc", "Title of tbc")),
        milestone("done", "2026-10", completed_on=date(2026, 10, 30)),
        milestone("later", "2027", workstream="quantum"),
    ]


def change(mid, kind, old, new, **kw):
    return ChangeLine(mid, f"Title of {mid}", "life-sciences", kind, old, new, AS_OF, **kw)


CHANGES = (
    change("late", "status", "due", "overdue"),
    change("late", "forecast", "2026-Q3", "2026-10"),
    change("moved", "forecast", "2027-Q1", "FY2027", reason="the partner asked for more time"),
    change("rebased", "rebaselined", "2027-Q1", "2027-06"),
    change("done", "completed", None, "2026-10-30", evidence="https://example.org/minutes"),
)
ALL_IDS = ("late", "now", "soon", "moved", "next", "rebased", "tbc", "done")


def make_digest(milestones=None, changes=CHANGES, recipient=EVERYONE):
    return compose_digest(
        programme="UK–Japan Science and Technology Partnership",
        recipient=recipient,
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(milestones or plan(), AS_OF),
        changes=changes,
    )


def visible_text(html: str) -> str:
    """What a reader of the HTML part sees, as words separated by single spaces."""
    body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r'<div class="preheader".*?</div>', " ", body, flags=re.S)
    body = re.sub(r"</?(span|a|b|code)\b[^>]*>", "", body)  # inline: no space
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def flat(text: str) -> str:
    return " ".join(text.split())


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
        assessments=evaluate(plan(), AS_OF),
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


def test_a_quiet_week_says_so_in_a_short_digest(renderer):
    quiet = make_digest([milestone("later", "2027"), milestone("tbc", None)], changes=())
    assert quiet.quiet
    rendered = renderer.digest(quiet)
    assert rendered.subject == f"{PREFIX} Weekly digest 2026-W48 — nothing needs attention"
    said = "A quiet week: nothing you follow is overdue, due, at risk or approaching"
    assert said in " ".join(rendered.text.split())
    assert said in visible_text(rendered.html)
    assert "1 milestone has no date yet." in " ".join(rendered.text.split())
    assert "Title of tbc" not in rendered.text + rendered.html


def test_the_summary_sentence_names_what_needs_attention(renderer):
    rendered = renderer.digest(make_digest())
    expected = (
        "3 milestones need attention: “Title of late” is 24 days overdue; “Title of now” "
        "is due by 31 Dec 2026 and waits on “Title of late”; “Title of soon” is at risk "
        "and waits on “Title of tbc”."
    )
    assert expected in " ".join(rendered.text.split())
    assert expected in visible_text(rendered.html)


def test_each_milestone_is_listed_once_with_its_id_last(renderer):
    rendered = renderer.digest(make_digest())
    for mid in ALL_IDS:
        assert rendered.text.count(f"[{mid}]") == 1, mid
        assert len(re.findall(rf'class="id"[^>]*>{mid}<', rendered.html)) == 1, mid


def test_a_slip_shows_old_and_new_window_and_the_reason(renderer):
    rendered = renderer.digest(make_digest())
    slipped = rendered.text.split("Slipped (1)")[1].split("Approaching (")[0]
    flat = " ".join(slipped.split())
    assert "Title of moved" in flat
    assert "Window: FY2027 (Apr 2027 – Mar 2028) (was Q1 2027)" in flat
    assert "slipped 366 days" in flat
    assert "reason given: the partner asked for more time" in flat
    assert "reason given: the partner asked for more time" in visible_text(rendered.html)


def test_the_first_syncs_additions_are_not_news(renderer):
    added = [change("next", "status", None, "approaching")]
    digest = make_digest(changes=added)
    assert not digest.changed
    assert "next" not in [e.assessment.milestone.id for e in digest.changed]


def test_a_marking_leads_the_subject_and_stands_at_top_and_foot(renderer):
    marked = Renderer(subject_prefix=PREFIX, marking="OFFICIAL").digest(make_digest())
    assert marked.subject.startswith(f"OFFICIAL {PREFIX} Weekly digest")
    lines = marked.text.strip().splitlines()
    assert lines[0] == "OFFICIAL" and lines[-1] == "OFFICIAL"
    seen = visible_text(marked.html).split()
    assert seen[0] == "OFFICIAL" and seen[-1] == "OFFICIAL"


def test_text_and_html_say_the_same_things(renderer):
    from ukjp_monitor.notify.language import language
    from ukjp_monitor.notify.lines import Writer

    writer = Writer(language("en"))
    digest = make_digest()
    rendered = renderer.digest(digest)
    text, html = " ".join(rendered.text.split()), visible_text(rendered.html)
    assert writer.summary(digest) in text and writer.summary(digest) in html
    for _, _, section in digest.sections():
        for entry in section:
            line = writer.describe(entry)
            flags = [f.text for f in line.flags]
            for said in [line.title, *flags, *(f"{k}: {v}" for k, v in line.facts)]:
                assert said in text, said
                assert said in html, said


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
    two = make_digest([milestone("tbc", None), milestone("next", "2026-12-20")], changes=())
    rendered = renderer.digest(two)
    assert html_headings(rendered.html) == ["Approaching", "Unscheduled"]
    for name in SECTIONS:
        if name not in ("Approaching", "Unscheduled"):
            assert f"{name} (" not in rendered.text


def test_each_row_shows_window_days_owner_slip_and_source(renderer):
    text = renderer.digest(make_digest()).text
    late = " ".join(text[text.index("* Title of late") :].split("\n\n")[0].split())
    assert "Window: Oct 2026 (was Q3 2026)" in late
    assert "When: 24 days overdue (due by 31 Oct 2026)" in late
    assert "Owner: DSIT" in late
    assert "slipped 31 days" in late
    assert "RED" in late
    assert f"Source: {SOURCE}" in late
    done = " ".join(text[text.index("* Title of done") :].split("\n\n")[0].split())
    assert "Evidence: https://example.org/minutes" in done


def test_at_risk_rows_say_what_they_wait_on(renderer):
    rendered = renderer.digest(make_digest())
    assert "Waits on: Title of late" in rendered.text
    assert "Waits on: Title of tbc" in rendered.text
    assert "Waits on: Title of late" in visible_text(rendered.html)


def test_changes_read_as_old_and_new_values(renderer):
    rendered = renderer.digest(make_digest())
    for words in (
        "status due → overdue",
        "re-forecast Q3 2026 → Oct 2026",
        "target re-baselined Q1 2027 → Jun 2027 (recorded 24 Nov 2026)",
        "completed on 30 Oct 2026",
    ):
        assert words in " ".join(rendered.text.split())
        assert words in visible_text(rendered.html)


def test_a_recipient_sees_only_the_workstreams_they_follow(renderer):
    quantum = Recipient("q@example.org", workstreams=("quantum",))
    both = [milestone("late", "2026-Q3"), milestone("q", "2026-Q3", workstream="quantum")]
    rendered = renderer.digest(make_digest(both, recipient=quantum))
    assert "Title of q" in rendered.text
    assert "Title of late" not in rendered.text + rendered.html
    assert "You follow the quantum workstream" in rendered.html


def test_the_plain_text_fits_in_72_columns(renderer):
    long = "A very long milestone title " * 6
    rendered = renderer.digest(make_digest(plan(tbc=long)))
    # A link longer than a line stands alone on its line, unbroken.
    too_long = [line for line in rendered.text.splitlines() if len(line) > 72]
    assert all(line.strip() == SOURCE for line in too_long)


def test_the_alert_lists_each_transition_with_old_and_new_status(renderer):
    rendered = renderer.alert(make_alert())
    text = " ".join(rendered.text.split())
    assert "RED · now overdue · slipped 31 days" in text
    assert "Change: status due → overdue" in text
    assert "RED · now at risk" in text
    assert "Window: Oct 2026 (was Q3 2026)" in text
    assert "Owner: DSIT" in text and "When: 24 days overdue" in text
    assert "Waits on: Title of late" in text
    html = visible_text(rendered.html)
    for said in (
        "now overdue",
        "Change: status due → overdue",
        "Owner: DSIT",
        "Waits on: Title of late",
    ):
        assert said in html


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
    assert "Weekly digest 2026-W48" in visible_text(rendered.html)


def test_a_broken_override_fails_when_the_renderer_is_built(tmp_path):
    (tmp_path / "alert.html.j2").write_text("{% if %}")
    with pytest.raises(TemplateSyntaxError) as error:
        Renderer(subject_prefix=PREFIX, template_dir=tmp_path)
    assert error.value.filename == str(tmp_path / "alert.html.j2")


def test_templates_are_compiled_once_per_language_however_many_messages(monkeypatch):
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
    assert all(loads[name] == len(LANGUAGES) for name in TEMPLATES)  # built at start-up
    assert max(loads.values()) <= len(LANGUAGES)  # and what they extend or import, once


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
        assessments=[],
    )
    assert len(alert.lines) == ALERT_LINES and alert.omitted == 150
    assert alert.counts() == {"overdue": 83, "due": 83, "approaching": 84, "at risk": 0}
    assert [x.transition.new_status for x in alert.lines[:83]] == ["overdue"] * 83
    rendered = renderer.alert(alert)
    assert "83 overdue, 83 due, 84 approaching" in rendered.subject
    shown = len(re.findall(r"\[m-\d+\]", rendered.text))
    assert wire_size(rendered.text, rendered.html) <= MAX_BYTES
    more = f"…and {250 - shown:,} more changes, not listed to keep this email short."
    assert more in flat(rendered.text)
    assert more in visible_text(rendered.html)


def test_a_long_digest_section_lists_fifty_and_counts_the_rest(renderer):
    late = [milestone(f"late-{i:03d}", "2026-03") for i in range(SECTION_LINES + 70)]
    digest = make_digest(late + plan(), changes=[])
    assert len(digest.overdue.shown) == SECTION_LINES and digest.overdue.omitted == 71
    assert digest.counts()["overdue"] == SECTION_LINES + 70 + 1  # and plan()'s own
    rendered = renderer.digest(digest)
    assert f"Overdue ({SECTION_LINES + 71})" in rendered.text
    # At most fifty, fewer if fifty would pass 100,000 bytes; the rest counted.
    shown = len(re.findall(r"\[late(?:-\d+)?\]", rendered.text))
    assert shown <= SECTION_LINES and wire_size(rendered.text, rendered.html) <= MAX_BYTES
    more = f"…and {121 - shown} more overdue, not listed to keep this email short."
    assert more in flat(rendered.text) and more in visible_text(rendered.html)
    assert "late-119" not in rendered.text  # the 120th is left out
    assert "more due" not in rendered.text  # short sections are whole
    assert "ukjp-monitor" not in rendered.text + rendered.html  # no command readers lack


def test_overdue_comes_most_days_overdue_first(renderer):
    late = [milestone(f"late-{m:02d}", f"2026-{m:02d}") for m in (5, 2, 9, 3)]
    digest = make_digest(late, changes=[])
    ids = [e.assessment.milestone.id for e in digest.overdue]
    assert ids == ["late-02", "late-03", "late-05", "late-09"]


def test_a_huge_digest_stays_under_100000_bytes_worst_first_and_counted(renderer):
    many = [
        milestone(f"grant-{i:05d}", f"2026-{1 + i % 10:02d}", owner=f"Grant holder {i:,}")
        for i in range(5000)
    ]
    digest = make_digest(many, changes=[])
    rendered = renderer.digest(digest)
    assert wire_size(rendered.text, rendered.html) <= MAX_BYTES
    assert "Overdue (5,000)" in rendered.text
    shown = re.findall(r"\[(grant-\d+)\]", rendered.text)
    assert shown and all(int(i[6:]) % 10 == 0 for i in shown)  # January's: the most overdue
    omitted = 5000 - len(shown)
    assert f"…and {omitted:,} more overdue" in flat(rendered.text)
    assert f"and {omitted:,} more overdue" in rendered.html


def test_a_long_alert_is_weighed_then_rendered_once_at_the_size_that_fits(monkeypatch):
    renderer = Renderer(subject_prefix=PREFIX)
    lines = [
        TransitionLine(
            i,
            f"m-{i}",
            f"Title {i}",
            "life-sciences",
            AS_OF,
            "due",
            "overdue",
            False,
            False,
            "2026-10",
        )
        for i in range(ALERT_LINES)
    ]
    many = [milestone(f"m-{i}", "2026-10") for i in range(ALERT_LINES)]
    alert = compose_alert(
        programme="P",
        recipient=EVERYONE,
        as_of=AS_OF,
        lines=lines,
        assessments=evaluate(many, AS_OF),
    )
    shown: list[int] = []
    render = renderer._render
    monkeypatch.setattr(
        renderer, "_render", lambda *a, **kw: shown.append(len(kw["lines"])) or render(*a, **kw)
    )
    rendered = renderer.alert(alert)
    assert wire_size(rendered.text, rendered.html) <= MAX_BYTES
    assert ALERT_LINES not in shown  # never rendered whole only to be cut
    assert len(shown) <= 4  # the frame, a few lines, the fit, and at most one trim


def test_an_alert_lists_the_most_overdue_first_and_counts_in_the_digests_order(renderer):
    months = (5, 2, 9, 3)
    late = [milestone(f"late-{m:02d}", f"2026-{m:02d}") for m in months]
    soon = milestone("soon", "2026-12-10")
    lines = [
        TransitionLine(i, m.id, m.title, m.workstream, AS_OF, "due", "overdue", False, False, None)
        for i, m in enumerate(late)
    ] + [
        TransitionLine(
            9, "soon", soon.title, soon.workstream, AS_OF, None, "approaching", None, True, None
        )
    ]
    alert = compose_alert(
        programme="P",
        recipient=EVERYONE,
        as_of=AS_OF,
        lines=lines,
        assessments=evaluate([*late, soon], AS_OF),
    )
    order = [x.transition.milestone_id for x in alert.lines]
    assert order == ["late-02", "late-03", "late-05", "late-09", "soon"]
    assert list(alert.counts()) == ["overdue", "due", "at risk", "approaching"]
    assert renderer.alert(alert).subject == f"{PREFIX} Alert — 4 overdue, 1 at risk, 1 approaching"
