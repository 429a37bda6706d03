"""Chat channels through a real webhook server on loopback: once only, through faults,
and a channel URL's secret never kept, printed or logged."""

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from conftest import TODAY

NOV_24, JAN_1 = date(2026, 11, 24), date(2027, 1, 1)
TEAM = "channel:team"
SECRET = "s3cr3t-T0KEN-abc123"


def add_channels(config_dir, *channels: str, base_url: str | None = None) -> None:
    """Append ``channels:`` items (YAML text, each a mapping) to monitor.yaml."""
    path = config_dir / "monitor.yaml"
    body = "".join(f"  - {c}\n" for c in channels)
    web = f"web:\n  base_url: {base_url}\n" if base_url else ""
    path.write_text(path.read_text() + f"\n{web}channels:\n{body}", encoding="utf-8")


@pytest.fixture
def channel(config_dir, webhook, monkeypatch):
    """One channel ``team``, following everything, whose URL holds ``${SECRET}``."""
    monkeypatch.setenv("TEAM_SECRET", SECRET)
    url = webhook.url("${TEAM_SECRET}/hook")
    add_channels(config_dir, f"{{name: team, url: '{url}'}}")
    return webhook


def quick(monitor):
    """A notifier that retries without waiting."""
    return monitor.notifier(attempts=2, backoff=0, sleep=lambda _: None)


def channel_rows(settings) -> list[tuple]:
    """Every ledger row of a channel, and every column of it."""
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            query = "SELECT * FROM deliveries WHERE recipient LIKE 'channel:%' ORDER BY id"
            return [tuple(row) for row in conn.execute(text(query))]
    finally:
        engine.dispose()


def channel_deliveries(monitor) -> list[tuple[str, str, str]]:
    _, events = monitor.history()
    return [
        (e["details"]["recipient"], e["details"]["message"], e["details"]["state"])
        for e in events
        if e["kind"] == "delivery" and e["details"]["recipient"].startswith("channel:")
    ]


def test_a_channel_gets_each_alert_exactly_once(monitor, channel):
    monitor.sync()
    first = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    again = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert len(channel.accepted) == 1
    post = channel.accepted[0]
    assert post.path == f"/{SECRET}/hook"
    assert "1 due" in post.title and "1 at risk" in post.title
    assert "National rare disease screening pilot" in post.message
    assert first.alerts.sent == 3 and again.alerts.sent == 0  # two mails and the post
    assert channel_deliveries(monitor) == [(TEAM, "channel alert", "sent")]


def test_a_server_error_leaves_the_alert_pending_and_the_next_run_sends_it(monitor, channel, clock):
    monitor.sync()
    channel.answers = [500, 500]  # both tries of this run
    report = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert (report.alerts.pending, channel.accepted) == (1, [])
    assert "error=500" in report.alerts.errors[0]
    clock.now = TODAY + timedelta(hours=1)
    later = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert (later.alerts.sent, len(channel.accepted)) == (1, 1)
    assert channel_deliveries(monitor) == [
        (TEAM, "channel alert", "pending"),
        (TEAM, "channel alert", "sent"),
    ]


def test_a_server_that_is_down_gets_the_alert_once_it_is_up(monitor, channel, clock):
    monitor.sync()
    channel.stop()
    down = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert down.alerts.pending == 1
    channel.start()
    clock.now = TODAY + timedelta(hours=1)
    up = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert (up.alerts.sent, len(channel.accepted)) == (1, 1)


def test_a_4xx_is_refused_for_good_and_recorded(monitor, channel, clock, settings):
    monitor.sync()
    channel.answers = [404]
    report = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert report.alerts.failed == 1 and len(channel.received) == 1  # not tried again
    clock.now = TODAY + timedelta(hours=1)
    monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert len(channel.received) == 1
    assert channel_deliveries(monitor) == [(TEAM, "channel alert", "failed")]
    (row,) = channel_rows(settings)
    assert "failed" in row and any("error=404" in str(v) for v in row)


def test_a_missing_variable_refuses_that_message_and_names_the_variable(
    monitor, config_dir, webhook, settings
):
    add_channels(config_dir, f"{{name: team, url: '{webhook.url('${SLACK_WEBHOOK}')}'}}")
    monitor.sync()
    report = monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert report.alerts.sent == 2 and report.alerts.failed == 1  # the mail still went
    assert report.alerts.errors == [f"{TEAM}: the environment variable SLACK_WEBHOOK is not set"]
    assert webhook.received == []


def test_the_secret_is_never_kept_printed_or_logged(
    channel, run_cli, settings, caplog, clock, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    channel.answers = [500, 500, 403]
    outputs = [run_cli("sync"), run_cli("check", "--as-of", "2026-11-24")]
    clock.now = TODAY + timedelta(hours=1)
    outputs += [run_cli("check", "--as-of", "2026-11-24"), run_cli("history")]
    outputs += [run_cli("history", "--format", "json"), run_cli("validate")]
    assert [r.path for r in channel.received] == [f"/{SECRET}/hook"] * 3  # it did get it
    for written in [
        *(r.stdout + r.stderr for r in outputs),
        caplog.text,
        repr(channel_rows(settings)),
    ]:
        assert SECRET not in written
    assert "channel alert to channel:team refused for good: " in outputs[3].stdout
    assert "error=403" in outputs[3].stdout


def test_a_channel_following_one_workstream_gets_only_its_milestones(
    monitor, config_dir, webhook, clock
):
    add_channels(
        config_dir,
        f"{{name: quantum, url: '{webhook.url('q')}', workstreams: [quantum]}}",
        f"{{name: life, url: '{webhook.url('life')}', workstreams: [life-sciences]}}",
    )
    monitor.sync()
    monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert [r.path for r in webhook.accepted] == ["/life"]  # quantum has nothing new
    assert "National rare disease screening pilot" in webhook.accepted[0].message
    assert "Joint Committee" not in webhook.accepted[0].message


def test_a_japanese_channel_gets_japanese_text(monitor, config_dir, webhook):
    add_channels(config_dir, f"{{name: tokyo, url: '{webhook.url('jp')}', language: ja}}")
    monitor.sync()
    monitor.check(as_of=NOV_24, notifier=quick(monitor))
    (post,) = webhook.accepted
    assert "アラート" in post.title and "件" in post.title
    assert "遅延のおそれ" in post.message


def test_alert_lines_link_to_the_status_page_when_it_is_published(monitor, config_dir, webhook):
    url = webhook.url("hook")
    add_channels(config_dir, f"{{name: team, url: '{url}'}}", base_url="https://status.example.org")
    monitor.sync()
    monitor.check(as_of=NOV_24, notifier=quick(monitor))
    (post,) = webhook.accepted
    assert "](https://status.example.org/milestones/rare-disease-pilot-start)" in post.message


def test_the_weekly_summary_goes_once_per_week_with_the_digests(
    monitor, config_dir, webhook, clock
):
    url = webhook.url("hook")
    add_channels(config_dir, f"{{name: team, url: '{url}'}}", base_url="https://status.example.org")
    monitor.sync()
    first = monitor.send_digests(as_of=NOV_24, notifier=quick(monitor))
    again = monitor.send_digests(as_of=NOV_24, notifier=quick(monitor))
    assert (first.sent, again.sent, again.skipped) == (4, 0, 4)  # three digests and the summary
    (post,) = webhook.accepted
    assert "Weekly summary 2026-W48" in post.title
    assert "1 milestone needs attention" in post.message
    assert "(https://status.example.org/)" in post.message
    assert channel_deliveries(monitor) == [(TEAM, "weekly summary", "sent")]


def test_a_channel_taken_out_of_the_config_gets_nothing_more(monitor, channel, config_dir):
    monitor.sync()
    channel.answers = [500, 500]
    monitor.check(as_of=NOV_24, notifier=quick(monitor))
    path = config_dir / "monitor.yaml"
    path.write_text(path.read_text()[: path.read_text().index("\nchannels:")])
    monitor.check(as_of=NOV_24, notifier=quick(monitor))
    assert channel.accepted == []
    assert channel_deliveries(monitor)[-1] == (TEAM, "channel alert", "failed")


def test_with_quiet_digests_skipped_a_quiet_channel_gets_no_summary(monitor, config_dir, webhook):
    path = config_dir / "monitor.yaml"
    path.write_text(path.read_text().replace("mail:\n", "mail:\n  quiet_digest: skip\n"))
    add_channels(
        config_dir,
        f"{{name: space, url: '{webhook.url('space')}', workstreams: [space]}}",
        f"{{name: life, url: '{webhook.url('life')}', workstreams: [life-sciences]}}",
    )
    monitor.sync()
    monitor.send_digests(as_of=NOV_24, notifier=quick(monitor))
    assert [r.path for r in webhook.accepted] == ["/life"]


def test_a_reference_is_read_when_the_message_goes_not_when_the_config_is(
    run_cli, config_dir, webhook, monkeypatch
):
    add_channels(config_dir, f"{{name: team, url: '{webhook.url('${LATE_TOKEN}')}'}}")
    assert run_cli("validate").exit_status == 0  # unset, and nobody asked for it yet
    assert run_cli("sync").exit_status == 0
    monkeypatch.setenv("LATE_TOKEN", "set-just-now")
    assert run_cli("check", "--as-of", "2026-11-24").exit_status == 0
    assert [r.path for r in webhook.accepted] == ["/set-just-now"]
