"""The Prefect flows, run under one temporary Prefect server per test session.

Each flow reads its settings from the environment, as on a worker, and mails
a real SMTP server; the database is checked through the library API.
"""

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, TODAY
from ukjp_monitor.store.runs import latest

NOV_24 = date(2026, 11, 24)
PMO, LEAD = "pmo@example.org", "life-sciences-lead@example.org"
PARTNER = "jst-quantum@example.org"  # reads Japanese, in Tokyo
LONDON = ZoneInfo("Europe/London")

#: Under pytest-xdist, one worker runs them all, on its one Prefect server.
pytestmark = pytest.mark.xdist_group("prefect")


@pytest.fixture(scope="session")
def flows(prefect_harness):
    """The flows loaded as a worker loads them: from their entrypoints."""
    from prefect.flows import load_flow_from_entrypoint

    return {
        name: load_flow_from_entrypoint(str(ROOT / "flows" / entrypoint))
        for name, entrypoint in (
            ("check", "check.py:milestone_check"),
            ("digest", "digest.py:weekly_digest"),
        )
    }


@pytest.fixture
def environment(monkeypatch, settings, smtp_server):
    """UKJP_* variables as a worker would have them, for a synced database."""
    monkeypatch.setenv("UKJP_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("UKJP_CONFIG_DIR", str(settings.config_dir))
    monkeypatch.setenv("UKJP_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("UKJP_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("UKJP_SMTP_SECURITY", "none")
    monkeypatch.setenv("UKJP_SMTP_TIMEOUT", "5")


@pytest.fixture
def synced(monitor, environment):
    monitor.sync()
    return monitor


def test_the_check_flow_records_transitions_and_mails_alerts(flows, synced, smtp_server):
    counts = flows["check"](as_of=NOV_24)
    assert counts == {"transitions": 8, "sent": 2, "pending": 0, "failed": 0, "skipped": 0}
    assert sorted(smtp_server.recipients()) == [LEAD, PMO]
    _, events = synced.history()
    assert sum(e["kind"] == "transition" for e in events) == 8
    last = latest(synced.engine)["check"]
    assert (last.outcome, last.as_of, last.counts["sent"]) == ("completed", NOV_24, 2)


def test_the_check_flow_loads_an_edited_config_first(flows, synced, config_dir):
    path = config_dir / "milestones.yaml"
    path.write_text(path.read_text().replace("target: 2026-H2", "target: 2027-Q1"))
    flows["check"](as_of=NOV_24)
    _, events = synced.history("rare-disease-pilot-start")
    assert [e["details"]["new"] for e in events if e["kind"] == "rebaselined"] == ["2027-Q1"]
    assert synced.show("rare-disease-pilot-start").assessment.status == "planned"


def test_a_second_check_records_and_sends_nothing_new(flows, synced, smtp_server):
    flows["check"](as_of=NOV_24)
    assert flows["check"](as_of=NOV_24)["transitions"] == 0
    assert len(smtp_server.received) == 2


def test_the_digest_flow_sends_one_digest_per_recipient_once_a_week(flows, synced, smtp_server):
    assert flows["digest"](as_of=NOV_24)["sent"] == 3
    assert flows["digest"](as_of=date(2026, 11, 27)) == {
        "sent": 0,
        "pending": 0,
        "failed": 0,
        "skipped": 3,
    }
    assert sorted(smtp_server.recipients()) == [PARTNER, LEAD, PMO]


def test_the_scheduled_digest_flow_sends_each_digest_once_its_send_time_has_come(
    flows, synced, smtp_server, clock
):
    assert flows["digest"]()["sent"] == 3  # this week's: every send time has passed
    # Next Monday at 07:00 in London is 16:00 in Tokyo: only the partner is due.
    today = TODAY.astimezone(LONDON).date()
    monday = today + timedelta(days=7 - today.weekday())
    clock.now = datetime.combine(monday, time(7, 0), tzinfo=LONDON)
    assert flows["digest"]() == {"sent": 1, "pending": 0, "failed": 0, "skipped": 0}
    assert smtp_server.recipients()[-1] == PARTNER
    clock.now = datetime.combine(monday, time(8, 0), tzinfo=LONDON)
    assert flows["digest"]() == {"sent": 2, "pending": 0, "failed": 0, "skipped": 1}
    assert latest(synced.engine)["digest"].outcome == "completed"


def test_a_digest_that_could_not_go_fails_the_flow_and_the_recorded_run(flows, synced, smtp_server):
    smtp_server.reject_recipient(LEAD)
    state = flows["digest"](as_of=NOV_24, return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match="2 digests sent, 1 refused"):
        state.result()
    assert smtp_server.recipients() == [PMO, PARTNER]
    last = latest(synced.engine)["digest"]
    assert last.outcome == "failed"
    assert "1 refused" in last.error
    assert [h.failed for h in synced.health() if h.kind == "digest"] == [True]


def test_alerts_left_pending_by_a_mail_outage_fail_the_check_flow(flows, synced, smtp_server):
    smtp_server.stop()
    state = flows["check"](as_of=NOV_24, return_state=True)
    assert state.is_failed()
    assert "2 pending" in state.message or "2 pending" in str(state.result(raise_on_failure=False))
    last = latest(synced.engine)["check"]
    assert (last.outcome, last.counts["transitions"], last.counts["pending"]) == ("failed", 8, 2)
    smtp_server.start()
    assert flows["check"](as_of=NOV_24)["sent"] == 2  # the next run sends what waited


def test_a_digest_preview_sends_and_records_nothing(flows, synced, smtp_server):
    assert flows["digest"](as_of=NOV_24, send=False) == {"previewed": 3}
    assert smtp_server.received == []
    assert "digest" not in latest(synced.engine)


def test_bad_configuration_fails_the_flow_and_the_recorded_run(flows, synced, config_dir):
    (config_dir / "monitor.yaml").write_text("lead_days: -1\nnonsense: true\n")
    state = flows["check"](as_of=NOV_24, return_state=True)
    assert state.is_failed()
    assert latest(synced.engine)["check"].outcome == "failed"


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        ("operational", True),
        ("operation-failed", True),
        ("connection-refused", True),
        ("input", False),
        ("bug", False),
    ],
)
def test_only_io_errors_are_retried(error, retried, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from ukjp_monitor.errors import ConfigError, OperationFailed

    monkeypatch.syspath_prepend(str(ROOT))  # as on a worker, whose working directory is the clone
    from flows import is_transient

    exc = {
        "operational": OperationalError("SELECT 1", {}, Exception("server closed")),
        "operation-failed": OperationFailed("cannot reach the database"),
        "connection-refused": ConnectionRefusedError(),
        "input": ConfigError(["monitor.yaml:1: bad"]),
        "bug": KeyError("x"),
    }[error]
    assert is_transient(exc) is retried


def test_the_deployments_run_on_the_shipped_configurations_schedules():
    """prefect.yaml repeats monitor.yaml's schedules and the recipients'
    send times (Prefect reads only its own file); they must not drift apart,
    or health would judge the deployments against times they do not keep."""
    import yaml

    from conftest import SHIPPED_CONFIG
    from ukjp_monitor.config.loader import load_config
    from ukjp_monitor.plan.sendtimes import prefect_schedules

    config = load_config(SHIPPED_CONFIG, now=TODAY)
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    schedules = {d["entrypoint"]: d["schedules"] for d in deployments}
    assert schedules == {
        "flows/check.py:milestone_check": [
            {"cron": config.monitor.schedules.check, "timezone": config.programme.timezone}
        ],
        "flows/digest.py:weekly_digest": prefect_schedules(
            config.monitor.send_times(config.programme.timezone).values()
        ),
    }
    # Tokyo at 08:00 every day (a Japanese holiday can move the day), London on Mondays.
    assert len(schedules["flows/digest.py:weekly_digest"]) == 2


def test_flows_and_their_server_run_with_prefect_analytics_off(flows):
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings

    @flow
    def analytics() -> tuple[bool, str | None]:
        return get_current_settings().server.analytics_enabled, os.environ.get("DO_NOT_TRACK")

    assert analytics() == (False, "1")
    with get_client(sync_client=True) as client:
        served = client.request("GET", "/admin/settings").json()
    assert served["server"]["analytics_enabled"] is False  # no telemetry heartbeat


def test_a_temporary_server_started_by_serve_has_three_minutes_unless_prefect_is_told_otherwise(
    flows,
):
    from prefect.settings import get_current_settings, temporary_settings

    from ukjp_monitor.jobs.scheduler import prefect_settings

    def startup_timeout() -> int:
        return get_current_settings().server.ephemeral.startup_timeout_seconds

    with prefect_settings():
        assert startup_timeout() == 180  # a first start migrates a new database
    users = {"server.ephemeral.startup_timeout_seconds": 45}
    with temporary_settings(updates=users), prefect_settings():
        assert startup_timeout() == 45
