"""The monitor watches itself: runs are recorded and judged against the schedules."""

from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import snapshot
from ukjp_monitor.errors import InputError
from ukjp_monitor.jobs.health import GRACE, judge, previous_fire_time
from ukjp_monitor.store.runs import LastRun

WEEKDAYS_7 = "0 7 * * mon-fri"
MONDAYS_8 = "0 8 * * mon"
LONDON = "Europe/London"


def last_run(started: datetime, outcome: str = "completed") -> LastRun:
    return LastRun("check", started, started + timedelta(seconds=3), outcome, None, {}, None)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 7, 0, tzinfo=UTC), datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        (datetime(2026, 11, 24, 6, 59, tzinfo=UTC), datetime(2026, 11, 23, 7, 0, tzinfo=UTC)),
        # Saturday: the last firing was Friday.
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), datetime(2026, 11, 27, 7, 0, tzinfo=UTC)),
        # Summer time: 07:00 in London is 06:00 UTC.
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 7, 1, 6, 0, tzinfo=UTC)),
    ],
)
def test_the_last_scheduled_firing_is_found_in_the_programme_time_zone(now, expected):
    assert previous_fire_time(WEEKDAYS_7, LONDON, now) == expected


def test_a_run_after_the_last_firing_is_healthy():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    verdict = judge("check", WEEKDAYS_7, LONDON, last_run(now - timedelta(hours=5)), now)
    assert verdict.ok


def test_a_missed_firing_is_overdue_once_the_grace_has_passed():
    now = datetime(2026, 11, 24, 7, 0, tzinfo=UTC) + GRACE + timedelta(minutes=1)
    yesterday = datetime(2026, 11, 23, 7, 0, 5, tzinfo=UTC)
    verdict = judge("check", WEEKDAYS_7, LONDON, last_run(yesterday), now)
    assert verdict.overdue and not verdict.ok


def test_a_late_run_within_the_grace_is_not_yet_overdue():
    now = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    yesterday = datetime(2026, 11, 23, 7, 0, 5, tzinfo=UTC)
    assert judge("check", WEEKDAYS_7, LONDON, last_run(yesterday), now).ok


def test_a_new_installation_is_not_late_for_firings_before_it_existed():
    now = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    verdict = judge("digest", MONDAYS_8, LONDON, None, now, watching_since=now - timedelta(hours=1))
    assert verdict.ok
    later = judge(
        "digest",
        MONDAYS_8,
        LONDON,
        None,
        now + timedelta(days=7),
        watching_since=now - timedelta(hours=1),
    )
    assert later.overdue


def test_a_failed_last_run_is_unhealthy_even_when_on_time():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    verdict = judge("check", WEEKDAYS_7, LONDON, last_run(now, outcome="failed"), now)
    assert verdict.failed and not verdict.overdue and not verdict.ok


def test_every_check_and_digest_is_recorded_with_its_counts(monitor):
    monitor.sync()
    monitor.check(as_of=date(2026, 11, 24))
    monitor.send_digests(as_of=date(2026, 11, 24))
    verdicts = {h.kind: h for h in monitor.health()}
    assert verdicts["check"].last.outcome == "completed"
    assert verdicts["check"].last.counts == {
        "transitions": 8,
        "sent": 2,
        "pending": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert verdicts["digest"].last.as_of == date(2026, 11, 24)


def test_a_run_that_left_mail_undelivered_is_recorded_failed(monitor, settings, smtp_server, clock):
    from ukjp_monitor.jobs.monitor import Monitor

    mailing = Monitor(settings.but(**smtp_server.smtp_settings()))
    mailing.sync()
    smtp_server.stop()
    mailing.send_digests(
        as_of=date(2026, 11, 24), notifier=mailing.notifier(backoff=0, sleep=lambda _: None)
    )
    [_, digest] = mailing.health()
    assert digest.failed
    assert "3 pending" in digest.last.error
    mailing.close()


def test_a_run_that_raised_is_recorded_failed_with_its_reason(monitor):
    monitor.sync()
    monitor.check(as_of=date(2026, 11, 24))
    with pytest.raises(OSError), monitor.recorded("check"):
        raise OSError("No space left on device")
    [check, _] = monitor.health()
    assert check.failed and check.last.error == "OSError: No space left on device"


def test_a_refused_check_records_no_run_and_leaves_health_as_it_was(monitor, settings):
    monitor.sync()
    monitor.check(as_of=date(2026, 11, 24))
    before = snapshot(settings.database_url)
    with pytest.raises(InputError, match="backwards"):
        monitor.check(as_of=date(2026, 1, 1))
    assert snapshot(settings.database_url) == before
    assert all(verdict.ok for verdict in monitor.health())


def test_the_health_command_exits_1_when_something_is_wrong(run_cli, monitor, clock):
    run_cli("sync")
    healthy = run_cli("health")
    assert healthy.exit_status == 0
    assert healthy.stdout == "check: never ran\ndigest: never ran\n"
    monitor.check(as_of=date(2026, 11, 24))
    with pytest.raises(OSError), monitor.recorded("check"):
        raise OSError("No space left on device")
    unhealthy = run_cli("health")
    assert unhealthy.exit_status == 1
    assert "(failed): OSError: No space left on device" in unhealthy.stdout


def test_status_ends_with_when_the_monitor_last_ran(run_cli, monitor):
    run_cli("sync")
    monitor.check(as_of=date(2026, 11, 24))
    last_line = run_cli("status").stdout.strip().splitlines()[-1]
    assert last_line.startswith("check: last ran ")
    assert "(completed); digest: never ran" in last_line
