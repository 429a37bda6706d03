"""The one sending path: load in the caller's thread, then compose and render
from that data alone, deliver, mark."""

import sys
import threading
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event

from ukjp_monitor.jobs.loading import Loader
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.plan.status import Status

NOV_24 = date(2026, 11, 24)
LONDON = ZoneInfo("Europe/London")
WORKSTREAMS = ["life-sciences", "quantum", "connectivity", "space", "governance"]


def followers(config_dir, per_workstream: int) -> list[str]:
    """``per_workstream`` recipients for each workstream, one audience after another."""
    text = (config_dir / "monitor.yaml").read_text()
    head = text[: text.index("recipients:")]
    emails, body = [], ""
    for workstream in WORKSTREAMS:
        for i in range(per_workstream):
            email = f"{workstream}-{i}@example.org"
            emails.append(email)
            body += f"  - email: {email}\n    workstreams: [{workstream}]\n"
    (config_dir / "monitor.yaml").write_text(f"{head}recipients:\n{body}")
    return emails


@pytest.fixture
def mailing(settings, smtp_server, config_dir, clock):
    """A synced monitor, mailing a real SMTP server, with several audiences."""
    followers(config_dir, 3)
    monitor = Monitor(settings.but(**smtp_server.smtp_settings()))
    monitor.sync()
    yield monitor
    monitor.close()


class Statements:
    """Every statement any engine runs, with the thread that ran it and the
    switch interval at the time (a real engine's events, not a mock)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, float, str]] = []

    def __call__(self, conn, cursor, statement, *args) -> None:
        self.seen.append((threading.get_ident(), sys.getswitchinterval(), statement))

    def __enter__(self) -> "Statements":
        event.listen(Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(Engine, "before_cursor_execute", self)

    @property
    def threads(self) -> set[int]:
        return {thread for thread, _, _ in self.seen}

    @property
    def intervals(self) -> set[float]:
        return {interval for _, interval, _ in self.seen}


def test_no_thread_but_the_callers_touches_the_database_while_alerts_and_digests_go(
    mailing, smtp_server
):
    with Statements() as statements:
        alerts = mailing.check(as_of=NOV_24)
        digests = mailing.send_digests(as_of=NOV_24)
    assert (alerts.alerts.sent, digests.sent) == (3, 15)
    assert len(smtp_server.received) == 18
    assert any("deliveries" in statement for _, _, statement in statements.seen)
    assert statements.threads == {threading.get_ident()}


def test_the_switch_interval_is_the_same_during_and_after_a_send(mailing):
    before = sys.getswitchinterval()
    with Statements() as statements:
        assert mailing.send_digests(as_of=NOV_24).sent == 15
    assert statements.intervals == {before}
    assert sys.getswitchinterval() == before


def test_recipients_who_follow_the_same_things_share_one_alert_rendering(mailing):
    notifier = mailing.notifier()
    rendered = []
    original = notifier.renderer.alert
    notifier.renderer.alert = lambda alert: rendered.append(alert) or original(alert)
    report = mailing.check(as_of=NOV_24, notifier=notifier)
    assert report.alerts.sent == 3  # the pilot is news to its three followers only
    assert [alert.audience.workstreams for alert in rendered] == [("life-sciences",)]


def plan_readings(statements: Statements) -> int:
    """How many times the statements read the plan (``queries.load_plan``)."""
    return sum("FROM milestones JOIN workstreams" in text for _, _, text in statements.seen)


def test_a_check_reads_the_plan_once_for_its_transitions_and_its_alerts(mailing):
    with Statements() as statements:
        report = mailing.check(as_of=NOV_24)
    assert report.transitions > 0 and report.alerts.sent > 0
    assert plan_readings(statements) == 1


def test_a_runs_digests_read_the_plan_again_with_the_changes_they_report(mailing):
    with Statements() as statements:
        report = mailing.run(as_of=NOV_24)
    assert report.check.alerts.sent > 0 and report.digests.sent > 0
    assert plan_readings(statements) == 2  # the check's, then the digests' own


def test_a_completion_recorded_during_a_run_is_in_its_digests_plan_and_changes(mailing):
    notifier = mailing.notifier()
    held = notifier.loader.portfolio(NOV_24)  # the plan as a check has just read it
    mailing.complete("rare-disease-pilot-start", on=NOV_24)
    loaded = notifier.loader.digests([("quantum-0@example.org", NOV_24)])
    pilot = loaded.assessments[NOV_24].get("rare-disease-pilot-start")
    changes = loaded.changes[loaded.since("quantum-0@example.org", NOV_24)]
    assert pilot is not None and pilot.status is Status.COMPLETED
    assert held.get("rare-disease-pilot-start").status is not Status.COMPLETED
    assert any(c.milestone_id == "rare-disease-pilot-start" for c in changes)


def test_each_command_reads_the_plan_afresh(mailing):
    mailing.check(as_of=NOV_24)
    mailing.complete("rare-disease-pilot-start", on=NOV_24)
    with Statements() as statements:
        report = mailing.check(as_of=NOV_24)
    assert report.transitions == 1  # the completion, from a plan read after it
    assert plan_readings(statements) == 1


def test_what_a_send_loads_cannot_be_changed_by_what_composes_from_it(mailing):
    loaded = Loader(mailing.engine, LONDON).digests([("quantum-0@example.org", NOV_24)])
    with pytest.raises(TypeError):
        loaded.assessments[NOV_24] = ()  # type: ignore[index]
    with pytest.raises(AttributeError):
        loaded.last_sent = {}  # type: ignore[misc]
    assert isinstance(loaded.assessments[NOV_24].assessments, tuple)
    with pytest.raises(AttributeError):
        loaded.assessments[NOV_24].assessments = ()  # type: ignore[misc]
    assert isinstance(loaded.changes[loaded.since("quantum-0@example.org", NOV_24)], tuple)
