"""Delivery through a real SMTP server: failures, outages, races and crashes.

Nothing is lost and nothing goes twice. The one window that can still
produce a duplicate (killed after the server accepted a message but before
the ledger was marked) resends it with the same Message-ID.
"""

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.notify.smtp import NO_SMTPUTF8
from ukjp_monitor.store.ledger import LEASE

NOV_24 = date(2026, 11, 24)
PMO, LEAD = "pmo@example.org", "life-sciences-lead@example.org"
PARTNER = "jst-quantum@example.org"
JOERG = "jörg@bücher.example"


@pytest.fixture
def mailing(settings, smtp_server, clock):
    """A synced monitor that mails ``smtp_server`` and retries without waiting."""
    monitor = Monitor(settings.but(**smtp_server.smtp_settings()))
    monitor.sync()
    yield monitor
    monitor.close()


def quick(monitor):
    return monitor.notifier(backoff=0, sleep=lambda _: None)


def many_recipients(config_dir, n: int) -> list[str]:
    emails = [f"person{i:02d}@example.org" for i in range(n)]
    text = (config_dir / "monitor.yaml").read_text()
    head = text[: text.index("recipients:")]
    body = "".join(f"  - email: {e}\n" for e in emails)
    (config_dir / "monitor.yaml").write_text(f"{head}recipients:\n{body}")
    return emails


def add_international_recipient(config_dir) -> None:
    """Jörg, who follows everything, first in the list: the others come after him."""
    path = config_dir / "monitor.yaml"
    text = path.read_text(encoding="utf-8")
    jorg = f"recipients:\n  - email: {JOERG}\n    name: Jörg Müller\n    workstreams: all\n"
    path.write_text(text.replace("recipients:\n", jorg), encoding="utf-8")


def deliveries(monitor) -> list[tuple[str, str, str]]:
    """(recipient, message, state) of every delivery in the history."""
    _, events = monitor.history()
    return [
        (e["details"]["recipient"], e["details"]["message"], e["details"]["state"])
        for e in events
        if e["kind"] == "delivery"
    ]


def cli(settings, smtp_server, *args) -> subprocess.Popen:
    env = {
        **os.environ,
        "UKJP_DATABASE_URL": settings.database_url,
        "UKJP_CONFIG_DIR": str(settings.config_dir),
        "UKJP_SMTP_HOST": smtp_server.host,
        "UKJP_SMTP_PORT": str(smtp_server.port),
        "UKJP_SMTP_SECURITY": "none",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ukjp_monitor", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_alerts_are_delivered_to_a_real_smtp_server(mailing, smtp_server):
    report = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    assert report.alerts.sent == 2
    assert sorted(smtp_server.recipients()) == [LEAD, PMO]
    assert smtp_server.connections == 1  # one connection for the whole batch


def test_a_temporary_failure_is_retried_within_the_run(mailing, smtp_server):
    smtp_server.fail_data(times=1)
    report = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    assert (report.alerts.sent, report.alerts.pending) == (2, 0)
    assert sorted(smtp_server.recipients()) == [LEAD, PMO]


def test_when_the_server_is_down_mail_waits_and_goes_once_it_is_back(mailing, smtp_server):
    smtp_server.stop()
    down = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    assert (down.transitions, down.alerts.sent, down.alerts.pending) == (8, 0, 2)
    assert not down.alerts.ok
    smtp_server.start()
    back = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    assert (back.transitions, back.alerts.sent, back.alerts.pending) == (0, 2, 0)
    again = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    assert again.alerts.sent == 0
    assert sorted(smtp_server.recipients()) == [LEAD, PMO]


def test_one_rejected_recipient_does_not_block_the_others(mailing, smtp_server):
    smtp_server.reject_recipient(LEAD)
    report = mailing.send_digests(as_of=NOV_24, notifier=quick(mailing))
    assert (report.sent, report.failed) == (2, 1)
    assert "550 5.1.1 no such user" in report.errors[0]
    assert smtp_server.recipients() == [PMO, PARTNER]
    # A permanent refusal is recorded, not retried.
    assert mailing.send_digests(as_of=NOV_24, notifier=quick(mailing)).sent == 0
    _, events = mailing.history()
    refused = [e for e in events if e["kind"] == "delivery" and e["details"]["state"] == "failed"]
    assert refused[0]["details"]["error"].startswith("550")


def test_the_cli_exits_1_with_a_summary_when_mail_cannot_go(run_cli, smtp_server, monkeypatch):
    monkeypatch.setenv("UKJP_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("UKJP_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("UKJP_SMTP_SECURITY", "none")
    monkeypatch.setenv("UKJP_SMTP_TIMEOUT", "2")
    run_cli("sync")
    smtp_server.stop()
    result = run_cli("digest", "--send", "--as-of", "2026-11-24")
    assert result.exit_status == 1
    assert "0 digests sent, 3 pending (will retry on the next run)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_two_checks_started_at_once_send_each_alert_once(settings, smtp_server, config_dir):
    emails = many_recipients(config_dir, 12)
    Monitor(settings).sync()
    first = cli(settings, smtp_server, "check", "--as-of", "2026-11-24")
    second = cli(settings, smtp_server, "check", "--as-of", "2026-11-24")
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert Counter(smtp_server.recipients()) == dict.fromkeys(emails, 1)
    recorded = sorted(int(out.split(": ")[1].split()[0]) for out, _ in outputs)
    assert recorded == [0, 8]  # one process recorded every transition, the other none


@pytest.mark.slow
def test_a_run_killed_mid_send_leaves_everyone_exactly_one_digest(
    settings, smtp_server, config_dir
):
    emails = many_recipients(config_dir, 5)
    Monitor(settings).sync()
    release = smtp_server.hold_data(skip=2)  # the third message hangs in DATA
    victim = cli(settings, smtp_server, "digest", "--send", "--as-of", "2026-11-24")
    assert smtp_server.data_waiting.wait(timeout=60), victim.stderr.read()
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    release.set()  # the server now accepts the message whose sender died
    rerun = cli(settings, smtp_server, "digest", "--send", "--as-of", "2026-11-24")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "3 digests sent" in out  # the one in flight again, and the two never tried
    ids: dict[str, set[str]] = {}
    copies = Counter()
    for received in smtp_server.received:
        [to] = received.recipients
        ids.setdefault(to, set()).add(received.message["Message-ID"])
        copies[to] += 1
    assert {to: len(found) for to, found in ids.items()} == dict.fromkeys(emails, 1)
    # The server dropped the message whose sender died before the end of DATA.
    assert [copies[e] for e in emails] == [1, 1, 1, 1, 1]


class Crash(BaseException):
    """Stands for the process dying: nothing catches it."""


def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(
    mailing, smtp_server, clock
):
    def crash_when_marking(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE DELIVERIES"):
            raise Crash()

    event.listen(mailing.engine, "before_cursor_execute", crash_when_marking)
    with pytest.raises(Crash):
        mailing.send_digests(as_of=NOV_24, notifier=quick(mailing))
    event.remove(mailing.engine, "before_cursor_execute", crash_when_marking)
    assert smtp_server.recipients() == [PMO]  # accepted, but the ledger never heard
    # The crashed holder looks alive (it is this process), so its claim is
    # honoured until the lease runs out.
    assert mailing.send_digests(as_of=NOV_24, notifier=quick(mailing)).sent == 0
    clock.now += LEASE + timedelta(minutes=1)
    report = mailing.send_digests(as_of=NOV_24, notifier=quick(mailing))
    assert report.sent == 3
    first, again, *others = smtp_server.received
    assert first.message["Message-ID"] == again.message["Message-ID"]
    assert [first.recipients, again.recipients] == [[PMO], [PMO]]
    assert [o.recipients for o in others] == [[LEAD], [PARTNER]]


def test_an_international_recipient_gets_alerts_and_digests_over_smtputf8(
    mailing, smtp_server, config_dir
):
    smtp_server.offer_smtputf8()
    add_international_recipient(config_dir)
    check = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    digests = mailing.send_digests(as_of=NOV_24, notifier=quick(mailing))
    assert (check.alerts.sent, check.alerts.failed, digests.sent, digests.failed) == (3, 0, 4, 0)
    to_jorg = [r for r in smtp_server.received if r.recipients == [JOERG]]
    assert len(to_jorg) == 2 and all("SMTPUTF8" in r.options for r in to_jorg)
    assert {str(r.message["To"]) for r in to_jorg} == {f"Jörg Müller <{JOERG}>"}
    assert {(JOERG, "alert", "sent"), (JOERG, "weekly digest", "sent")} <= set(deliveries(mailing))


def test_an_international_recipient_is_refused_without_smtputf8_and_the_others_still_get_mail(
    mailing, smtp_server, config_dir, run_cli
):
    add_international_recipient(config_dir)
    check = mailing.check(as_of=NOV_24, notifier=quick(mailing))
    digests = mailing.send_digests(as_of=NOV_24, notifier=quick(mailing))
    assert (check.alerts.sent, check.alerts.failed, digests.sent, digests.failed) == (2, 1, 3, 1)
    assert digests.errors[0].startswith(f"{JOERG}: ")
    assert "does not offer SMTPUTF8" in digests.errors[0]
    assert Counter(smtp_server.recipients()) == {PMO: 2, LEAD: 2, PARTNER: 1}
    refused = [d for d in deliveries(mailing) if d[0] == JOERG]
    assert refused == [(JOERG, "alert", "failed"), (JOERG, "weekly digest", "failed")]
    _, events = mailing.history()
    reasons = {e["details"]["error"] for e in events if e["details"].get("recipient") == JOERG}
    assert reasons == {NO_SMTPUTF8}
    assert f"weekly digest to {JOERG} refused for good" in run_cli("history").stdout
    # Refused for good: a later run does not try again, and the others are not held up.
    again = mailing.send_digests(as_of=NOV_24, notifier=quick(mailing))
    assert (again.sent, again.failed, again.skipped) == (0, 0, 4)
