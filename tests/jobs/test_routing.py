"""Who gets what: recipients follow workstreams and/or owners, and each
message says only what they follow; Message-IDs carry the sender's domain."""

from datetime import date

import pytest

from sample_mail import parsed
from ukjp_monitor.store.ledger import LEASE

NOV_24 = date(2026, 11, 24)
HOLDER = "grants@nanopore.example"
NANOPORE = "Oxford Nanopore Technologies / Genesis Healthcare (A.D.A.M Innovations)"
PILOT = "National rare disease screening pilot begins in Japan"
HEADS_OF_TERMS = "Oxford Nanopore and Genesis Healthcare agree Heads of Terms"
ORCHARD = "Orchard Therapeutics agrees Life Sciences Innovative Manufacturing Fund terms"
QUANTUM = "Three joint UK–Japan quantum technology research projects launched"


@pytest.fixture
def with_grant_holder(config_dir, monitor):
    """A grant holder who follows only their own owner name."""
    path = config_dir / "monitor.yaml"
    holder = f"  - email: {HOLDER}\n    name: Grant Holder\n    owners: ['{NANOPORE}']\n"
    path.write_text(path.read_text().replace("recipients:\n", f"recipients:\n{holder}"))
    monitor.sync()
    return monitor


def mail_to(settings, address: str) -> list:
    messages = [parsed(p.read_bytes()) for p in sorted(settings.outbox_dir.glob("*.eml"))]
    return [m for m in messages if m["To"].addresses[0].addr_spec == address]


def both_parts(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_a_grant_holder_following_their_owner_name_gets_only_their_milestones_in_an_alert(
    with_grant_holder, settings
):
    report = with_grant_holder.check(as_of=NOV_24)
    assert report.alerts.sent == 3  # the holder, the programme office, the life sciences lead
    [alert] = mail_to(settings, HOLDER)
    for part in both_parts(alert):
        assert PILOT in part
        assert ORCHARD not in part and QUANTUM not in part


def test_a_grant_holder_following_their_owner_name_gets_only_their_milestones_in_a_digest(
    with_grant_holder, settings
):
    with_grant_holder.send_digests(as_of=NOV_24)
    [digest] = mail_to(settings, HOLDER)
    everyone = both_parts(mail_to(settings, "pmo@example.org")[0])
    # By id: a digest's text part wraps long titles, never an id.
    mine = ("rare-disease-pilot-start", "nanopore-genesis-heads-of-terms")
    others = ("orchard-lsimf-terms", "quantum-joint-projects")
    for part, full in zip(both_parts(digest), everyone, strict=True):
        assert all(i in part for i in mine)
        assert not any(i in part for i in others)
        assert all(i in full for i in others)  # the programme office hears of the others


def test_nobody_who_follows_nothing_in_a_check_gets_an_alert_about_it(
    config_dir, monitor, settings
):
    path = config_dir / "monitor.yaml"
    jst = "EPSRC / Japan Science and Technology Agency (JST)"
    quantum = f"  - email: quantum@example.org\n    owners: ['{jst}']\n"
    path.write_text(path.read_text().replace("recipients:\n", f"recipients:\n{quantum}"))
    monitor.sync()
    monitor.check(as_of=NOV_24)
    assert mail_to(settings, "quantum@example.org") == []
    with monitor.engine.connect() as conn:
        from sqlalchemy import text

        claimed = conn.execute(text("SELECT recipient FROM deliveries")).scalars().all()
    assert sorted(claimed) == ["life-sciences-lead@example.org", "pmo@example.org"]


def test_message_ids_carry_the_domain_of_mail_from(with_grant_holder, settings):
    with_grant_holder.check(as_of=NOV_24)
    with_grant_holder.send_digests(as_of=NOV_24)
    messages = [parsed(p.read_bytes()) for p in settings.outbox_dir.glob("*.eml")]
    assert len(messages) == 7
    assert all(m["Message-ID"].endswith("@example.org>") for m in messages)
    assert len({m["Message-ID"] for m in messages}) == 7


def test_the_ledger_keeps_one_row_per_message_however_many_lines_it_has(
    with_grant_holder, settings
):
    report = with_grant_holder.check(as_of=NOV_24)
    with_grant_holder.send_digests(as_of=NOV_24)
    assert report.transitions == 8
    with with_grant_holder.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(text("SELECT kind, count(*) FROM deliveries GROUP BY kind")).all()
    assert sorted(rows) == [("alert", 3), ("digest", 4)]


def test_an_alert_claimed_for_someone_since_removed_from_monitor_yaml_is_closed_unsent(
    config_dir, monitor, settings, clock
):
    monitor.sync()
    monitor.notifier().record_transitions(NOV_24)  # claimed, not yet sent
    clock.now += LEASE * 2  # the claimer went away
    path = config_dir / "monitor.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  - email: life-sciences-lead@example.org")])
    report = monitor.notifier().send_alerts()
    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    assert len(mail_to(settings, "pmo@example.org")) == 1
    assert mail_to(settings, "life-sciences-lead@example.org") == []
    _, events = monitor.history()
    [closed] = [e for e in events if e["kind"] == "delivery" and e["details"]["state"] == "failed"]
    assert closed["details"]["error"] == "no longer a recipient in monitor.yaml"
    assert monitor.notifier().send_alerts().sent == 0


def test_an_alert_for_someone_who_no_longer_follows_what_it_reports_is_closed_unsent(
    config_dir, monitor, settings, clock
):
    monitor.sync()
    monitor.notifier().record_transitions(NOV_24)  # claimed, not yet sent
    clock.now += LEASE * 2  # the claimer went away
    path = config_dir / "monitor.yaml"
    path.write_text(
        path.read_text().replace("workstreams: [life-sciences]", "workstreams: [quantum]")
    )
    report = monitor.notifier().send_alerts()
    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    assert mail_to(settings, "life-sciences-lead@example.org") == []
    _, events = monitor.history()
    [closed] = [e for e in events if e["kind"] == "delivery" and e["details"]["state"] == "failed"]
    assert closed["details"]["error"].startswith("nothing to tell")


def test_with_a_status_page_every_message_links_its_milestones_and_names_what_is_followed(
    config_dir, with_grant_holder, settings
):
    path = config_dir / "monitor.yaml"
    path.write_text(path.read_text() + "\nweb:\n  base_url: https://status.example.org/\n")
    with_grant_holder.check(as_of=NOV_24)
    with_grant_holder.send_digests(as_of=NOV_24)
    pilot = "https://status.example.org/milestones/rare-disease-pilot-start"
    mine = mail_to(settings, HOLDER)
    assert len(mine) == 2  # the alert and the digest
    for message in mine:
        text, html = both_parts(message)
        assert f"\n  {pilot}\n" in text.replace("\r\n", "\n")
        assert f'href="{pilot}"' in html
        foot = f"You follow milestones owned by {NANOPORE}."
        assert foot in " ".join(text.split())
        assert foot.replace("&", "&amp;") in " ".join(html.split())
    text, _ = both_parts(mail_to(settings, "life-sciences-lead@example.org")[-1])
    assert "You follow the Life sciences workstream." in " ".join(text.split())
