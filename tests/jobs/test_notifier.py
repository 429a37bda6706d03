"""check, digest and run: every message goes out once, none is lost."""

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest

from conftest import TODAY
from sample_mail import parsed
from ukjp_monitor.errors import InputError

PILOT = "rare-disease-pilot-start"
PMO, LEAD = "pmo@example.org", "life-sciences-lead@example.org"
PARTNER = "jst-quantum@example.org"  # reads Japanese, in Tokyo
NOV_24, JAN_1 = date(2026, 11, 24), date(2027, 1, 1)


@pytest.fixture
def synced(monitor):
    monitor.sync()
    return monitor


def outbox(settings) -> list:
    folder = settings.outbox_dir
    if not folder.exists():
        return []
    return [parsed(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def to(message) -> str:
    """The address a message is to (the header also carries the name)."""
    return message["To"].addresses[0].addr_spec


def quick(monitor):
    """A notifier that retries without waiting."""
    return monitor.notifier(attempts=3, backoff=0, sleep=lambda _: None)


def test_the_first_check_records_every_milestones_state_and_alerts_on_the_pilot(synced, settings):
    report = synced.check(as_of=NOV_24)
    assert report.transitions == 8
    assert report.alerts.sent == 2
    messages = {to(m): m for m in outbox(settings)}
    assert set(messages) == {PMO, LEAD}
    assert "1 due" in messages[PMO]["Subject"] and "1 at risk" in messages[PMO]["Subject"]
    assert (
        "National rare disease screening pilot" in messages[LEAD].get_body(("plain",)).get_content()
    )


def test_checking_again_the_same_day_sends_nothing(synced, settings):
    synced.check(as_of=NOV_24)
    again = synced.check(as_of=NOV_24)
    assert (again.transitions, again.alerts.sent) == (0, 0)
    assert len(outbox(settings)) == 2


def test_a_check_as_of_an_earlier_day_than_the_last_is_refused(synced):
    synced.check(as_of=NOV_24)
    with pytest.raises(InputError, match="backwards"):
        synced.check(as_of=date(2026, 11, 1))


def test_a_milestone_going_overdue_alerts_only_its_followers(synced, settings, clock):
    synced.sync()
    synced.check(as_of=NOV_24)
    clock.now = TODAY + timedelta(days=38)
    report = synced.check(as_of=JAN_1)
    assert report.transitions == 1
    newest = outbox(settings)[-2:]
    assert {to(m) for m in newest} == {PMO, LEAD}
    assert all("1 overdue" in m["Subject"] for m in newest)


def test_a_recipient_only_hears_about_workstreams_they_follow(synced, settings, config_dir):
    path = config_dir / "monitor.yaml"
    path.write_text(
        path.read_text().replace("workstreams: [life-sciences]", "workstreams: [quantum]")
    )
    synced.check(as_of=NOV_24)
    assert [to(m) for m in outbox(settings)] == [PMO]


def test_each_message_is_multipart_alternative_with_date_and_message_id(synced, settings):
    synced.check(as_of=NOV_24)
    [message, *_] = outbox(settings)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Date"] and message["Message-ID"].startswith("<")
    assert message["From"] == "UK–Japan S&T Monitor <monitor@example.org>"


def test_the_digest_preview_records_nothing(synced, settings):
    previews = synced.preview_digests(as_of=NOV_24)
    assert [email for email, _ in previews] == [PMO, LEAD, PARTNER]
    _, rendered = previews[0]
    assert "Weekly digest 2026-W48" in rendered.subject
    assert "週次ダイジェスト 2026年第48週" in previews[2][1].subject
    assert outbox(settings) == []
    assert synced.send_digests(as_of=NOV_24).sent == 3


def test_a_digest_goes_once_per_recipient_per_week_unless_forced(synced, settings):
    first = synced.send_digests(as_of=NOV_24)
    assert (first.sent, first.skipped) == (3, 0)
    again = synced.send_digests(as_of=date(2026, 11, 29))  # Sunday, same ISO week
    assert (again.sent, again.skipped) == (0, 3)
    forced = synced.send_digests(as_of=NOV_24, recipients=[PMO], force=True)
    assert forced.sent == 1
    next_week = synced.send_digests(as_of=date(2026, 11, 30))
    assert next_week.sent == 3
    assert len(outbox(settings)) == 7


def test_an_unknown_recipient_is_bad_input(synced):
    with pytest.raises(InputError, match="not a recipient"):
        synced.send_digests(as_of=NOV_24, recipients=["nobody@example.org"])


def test_the_digest_lists_changes_since_the_last_one_with_old_and_new(synced, settings, clock):
    synced.send_digests(as_of=NOV_24)
    clock.now = TODAY + timedelta(days=1)
    synced.forecast(PILOT, "2027-Q1", reason="kit late")
    clock.now = TODAY + timedelta(days=7)
    synced.send_digests(as_of=date(2026, 12, 1))
    latest = outbox(settings)[-2].get_body(("plain",)).get_content()
    assert "H2 2026" in latest and "Q1 2027" in latest


def words_of(message, kind: str) -> str:
    """A part of a parsed .eml as a reader sees it: words, single-spaced."""
    body = message.get_body((kind,)).get_content()
    if kind == "html":
        body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", body, flags=re.S)
        body = re.sub(r'<div class="preheader".*?</div>', " ", body, flags=re.S)
        body = re.sub(r"</?(span|a)\b[^>]*>", "", body)
        body = unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(body.split())


def test_the_digest_on_the_wire_tells_both_parts_the_same_news(synced, settings, clock, tmp_path):
    """DESIGN §12, read from the .eml files the outbox holds."""
    synced.send_digests(as_of=NOV_24)
    first = {to(m): m for m in outbox(settings)}[PMO]
    for kind in ("plain", "html"):
        said = words_of(first, kind)
        assert "status new" not in said  # the first sync's additions are not news
        assert "National rare disease screening pilot begins in Japan" in said
        assert "Window: H2 2026" in said and "When: due by 31 Dec 2026, 37 days left" in said
        assert "Waits on: Oxford Nanopore and Genesis Healthcare agree Heads of Terms" in said
        assert "ukjp-monitor" not in said  # no command readers do not have
    clock.now = TODAY + timedelta(days=1)
    synced.forecast(PILOT, "2027-Q1", reason="kit late")
    clock.now = TODAY + timedelta(days=7)
    synced.send_digests(as_of=date(2026, 12, 1))
    digests = [m for m in outbox(settings) if "W49" in m["Subject"]]
    assert {to(m) for m in digests} == {PMO, LEAD}
    for message in digests:
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Id"] == (
            "UK–Japan Science and Technology Partnership"
            " <uk-japan-science-and-technology-partnership.example.org>"
        )
        assert message.get_content_type() == "multipart/alternative"
        assert len(message.as_bytes()) <= 100_000
        text, html = words_of(message, "plain"), words_of(message, "html")
        for said in (
            "Slipped (1)",
            "Window: Q1 2027 (was H2 2026)",
            "slipped 90 days",
            "re-forecast H2 2026 → Q1 2027 (recorded 25 Nov 2026); reason given: kit late",
            "Owner: Oxford Nanopore Technologies / Genesis Healthcare (A.D.A.M Innovations)",
            "Source: ",
            "rare-disease-pilot-start",
        ):
            assert said in text, said
            assert said in html, said
        # The link in full in the text, behind its host's name in the HTML.
        source = (
            "https://www.gov.uk/government/news/uk-and-japan-strengthen-science-and-technology-ties"
        )
        assert f"Source: {source}" in text and "Source: www.gov.uk" in html
        assert f'href="{source}"' in message.get_body(("html",)).get_content()


def test_run_syncs_checks_and_sends_this_weeks_digest_once(monitor, settings):
    first = monitor.run(as_of=NOV_24)
    assert (first.check.alerts.sent, first.digests.sent) == (2, 3)
    second = monitor.run(as_of=NOV_24)
    assert (second.check.alerts.sent, second.digests.sent, second.digests.skipped) == (0, 0, 3)
    assert len(outbox(settings)) == 5


def test_history_shows_transitions_and_deliveries(synced):
    synced.check(as_of=NOV_24)
    _, events = synced.history()
    kinds = [e["kind"] for e in events]
    assert kinds.count("transition") == 8
    assert kinds.count("delivery") == 2
    _, pilot = synced.history(PILOT)
    assert any(e["kind"] == "transition" and e["details"]["new"] == "due" for e in pilot)


def test_a_first_checks_alert_says_what_a_milestone_now_is_not_that_it_was_new(synced, settings):
    synced.check(as_of=NOV_24)
    first = {to(m): m for m in outbox(settings)}[PMO]
    for kind in ("plain", "html"):
        said = words_of(first, kind)
        assert "status new" not in said
        assert "now due" in said.lower() and "now at risk" in said.lower()


def test_history_describes_transitions_and_deliveries_in_words(run_cli):
    run_cli("sync")
    run_cli("check", "--as-of", "2026-11-24")
    text = run_cli("history").stdout
    assert "status new → due as of 2026-11-24, now at risk" in text
    assert "alert to pmo@example.org sent: [UK–Japan S&T] Alert" in text


def test_the_cli_check_digest_and_run_commands(run_cli, settings):
    assert run_cli("sync").exit_status == 0
    check = run_cli("check", "--as-of", "2026-11-24")
    assert check.exit_status == 0, check.stderr
    assert "8 transitions recorded" in check.stdout and "2 alerts sent" in check.stdout
    preview = run_cli("digest", "--as-of", "2026-11-24", "--recipient", PMO)
    assert preview.stdout.startswith(f"To: {PMO}\nSubject: [UK–Japan S&T] Weekly digest")
    sent = run_cli("digest", "--as-of", "2026-11-24", "--send")
    assert "3 digests sent" in sent.stdout
    again = run_cli("run", "--as-of", "2026-11-24")
    assert again.exit_status == 0
    assert "3 already sent this week" in again.stdout
    assert run_cli("digest", "--force").exit_status == 2


def test_a_digest_html_preview_is_written_to_a_file_for_one_recipient(run_cli, tmp_path):
    run_cli("sync")
    target = tmp_path / "digest.html"
    result = run_cli("digest", "--as-of", "2026-11-24", "--recipient", PMO, "--html", target)
    assert result.exit_status == 0
    assert "Weekly digest 2026-W48" in target.read_text()
    several = run_cli("digest", "--html", tmp_path / "all.html")
    assert several.exit_status == 2
    assert "choose one with --recipient" in several.stderr


def test_a_digest_html_preview_is_written_to_a_folder(run_cli, tmp_path):
    run_cli("sync")
    result = run_cli("digest", "--as-of", "2026-11-24", "--html", tmp_path / "html")
    assert result.exit_status == 0
    assert (tmp_path / "html" / f"{PMO}.html").read_text().lstrip().startswith("<!")


def test_the_clock_decides_the_default_as_of_in_the_programme_time_zone(synced, clock):
    # 23:30 UTC on 31 March 2027 is already 1 April in London (BST).
    clock.now = datetime(2027, 3, 31, 23, 30, tzinfo=TODAY.tzinfo)
    assert synced.check().as_of == date(2027, 4, 1)


def test_recipients_who_follow_the_same_workstreams_share_one_rendering(synced, config_dir):
    text = (config_dir / "monitor.yaml").read_text()
    head = text[: text.index("recipients:")]
    people = "".join(f"  - email: p{i}@example.org\n    workstreams: [quantum]\n" for i in range(5))
    (config_dir / "monitor.yaml").write_text(f"{head}recipients:\n{people}  - email: {PMO}\n")
    notifier = synced.notifier()
    rendered = []
    original = notifier.renderer.digest
    notifier.renderer.digest = lambda digest: rendered.append(digest) or original(digest)
    report = synced.send_digests(as_of=NOV_24, notifier=notifier)
    assert report.sent == 6
    assert len(rendered) == 2  # one for the five quantum followers, one for everything


def test_an_international_recipient_gets_every_message_in_the_outbox(run_cli, settings, config_dir):
    jorg = "jörg@bücher.example"
    path = config_dir / "monitor.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(f"{text}  - email: {jorg}\n    name: Jörg Müller\n", encoding="utf-8")
    result = run_cli("run", "--as-of", "2026-11-24")
    assert result.exit_status == 0, result.stderr
    assert "3 alerts sent" in result.stdout and "4 digests sent" in result.stdout
    mine = [m for m in outbox(settings) if to(m) == jorg]
    assert [str(m["To"]) for m in mine] == [f"Jörg Müller <{jorg}>"] * 2
    assert f"weekly digest to {jorg} sent" in run_cli("history").stdout


def quiet_programme(config_dir, quiet_digest: str) -> None:
    """Only the announcement itself, done: nothing to report in any week."""
    milestones = config_dir / "milestones.yaml"
    text = milestones.read_text(encoding="utf-8")
    head, rest = text.split("milestones:\n", 1)
    keep = rest[rest.index("  - id: package-announced") : rest.index("  - id: joint-committee")]
    milestones.write_text(head + "milestones:\n" + keep, encoding="utf-8")
    monitor = config_dir / "monitor.yaml"
    monitor.write_text(
        monitor.read_text(encoding="utf-8").replace(
            'subject_prefix: "[UK–Japan S&T]"',
            f'subject_prefix: "[UK–Japan S&T]"\n  quiet_digest: {quiet_digest}',
        ),
        encoding="utf-8",
    )


@pytest.mark.parametrize("quiet_digest", ["send", "skip"])
def test_a_quiet_week_sends_a_short_digest_or_none(monitor, settings, config_dir, quiet_digest):
    quiet_programme(config_dir, quiet_digest)
    monitor.sync()
    report = monitor.send_digests(as_of=date(2026, 12, 1))
    messages = outbox(settings)
    if quiet_digest == "skip":
        assert (report.sent, report.skipped, report.quiet, messages) == (0, 0, 3, [])
        assert "3 not sent (a quiet week; mail.quiet_digest is skip)" in report.summary("digest")
        return
    assert report.sent == 3
    english = [m for m in messages if to(m) != PARTNER]
    [japanese] = [m for m in messages if to(m) == PARTNER]
    for message in english:
        assert "nothing needs attention" in message["Subject"]
        for kind in ("plain", "html"):
            assert "A quiet week: nothing you follow is overdue" in words_of(message, kind)
    assert "対応が必要な項目はありません" in japanese["Subject"]
    assert "今週は特段の動きはありません。" in words_of(japanese, "plain")


def test_a_completion_from_before_the_last_digest_still_shows_its_evidence(synced, settings, clock):
    minutes = "https://example.org/joint-committee-minutes"
    clock.now = TODAY - timedelta(days=4)
    synced.complete("joint-committee-meeting", on=NOV_24 - timedelta(days=4), evidence=minutes)
    clock.now = TODAY
    synced.send_digests(as_of=NOV_24)  # the completion is news this week
    clock.now = TODAY + timedelta(days=7)
    synced.send_digests(as_of=NOV_24 + timedelta(days=7))  # and a completion of last week
    latest = [m for m in outbox(settings) if to(m) == "pmo@example.org"][-1]
    text, html = words_of(latest, "plain"), latest.get_body(("html",)).get_content()
    assert f"Evidence: {minutes}" in text
    assert f'href="{minutes}"' in html
