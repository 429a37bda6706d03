"""Each recipient's digest goes at their own send time, in their own zone,
on their own working day, at most once a week: under ``run``, the flow and
``serve`` alike (DESIGN §14). Moments are counted from the pinned clock."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import TODAY
from ukjp_monitor.config.loader import load_config
from ukjp_monitor.jobs import scheduler
from ukjp_monitor.jobs.health import describe
from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.sendtimes import last_due
from ukjp_monitor.store import ledger, queries

LONDON, TOKYO = ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo")
PARTNER = "jst-quantum@example.org"  # the shipped Japanese partner


def next_monday(after: datetime = TODAY) -> datetime:
    """Midnight in London at the start of the first Monday after ``after``."""
    day = after.astimezone(LONDON).date() + timedelta(days=1)
    while day.weekday():
        day += timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=LONDON)


def japanese_holiday_monday(after: datetime = TODAY) -> datetime:
    """The first Monday after ``after`` that is a public holiday in Japan (00:00 Tokyo)."""
    japan, monday = WorkingDays(("JP",)), next_monday(after)
    while japan.is_working_day(monday.date()):
        monday += timedelta(weeks=1)
    return datetime.combine(monday.date(), time(0), tzinfo=TOKYO)


def with_tokyo_partner(config_dir, monitor, *, calendar: str | None = None, send_at="08:00"):
    """The shipped Japanese partner (08:00 in Tokyo), with ``calendar`` and
    ``send_at`` as given; synced."""
    path = config_dir / "monitor.yaml"
    text = path.read_text()
    shipped = '    send_at: "08:00"\n    calendar: JP\n'
    assert shipped in text
    mine = f'    send_at: "{send_at}"\n' + (f"    calendar: {calendar}\n" if calendar else "")
    path.write_text(text.replace(shipped, mine))
    monitor.sync()
    return monitor


def digests_sent(monitor, week: str) -> dict[str, str]:
    """The digests of ``week`` in the ledger: address → the day each told as of."""
    with monitor.engine.connect() as conn:
        rows = conn.execute(
            ledger.deliveries.select().where(
                ledger.deliveries.c.kind == ledger.DIGEST, ledger.deliveries.c.week == week
            )
        ).mappings()
        return {r["recipient"]: r["as_of"].isoformat() for r in rows}


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def test_a_tokyo_reader_gets_the_digest_at_eight_in_tokyo_and_london_at_eight_in_london(
    config_dir, monitor, clock
):
    m = with_tokyo_partner(config_dir, monitor)
    assert m.send_due_digests().sent == 3  # this week's, to everyone
    monday = next_monday()
    clock.now = datetime.combine(monday.date(), time(8, 1), tzinfo=TOKYO)  # Sunday night in London
    first = m.send_due_digests()
    # In London it is still last week, whose digests have gone.
    assert (first.sent, first.skipped, first.waiting) == (1, 2, 0)
    week = week_of(monday)
    assert digests_sent(m, week) == {PARTNER: monday.date().isoformat()}

    clock.now = datetime.combine(monday.date(), time(8, 1), tzinfo=LONDON)
    second = m.send_due_digests()
    assert (second.sent, second.skipped, second.waiting) == (2, 1, 0)
    third = m.send_due_digests()
    assert (third.sent, third.skipped) == (0, 3)
    assert set(digests_sent(m, week)) == {
        PARTNER,
        "pmo@example.org",
        "life-sciences-lead@example.org",
    }


def test_a_digest_due_on_a_readers_public_holiday_goes_on_their_next_working_day(
    config_dir, monitor, clock
):
    m = with_tokyo_partner(config_dir, monitor, calendar="JP")
    holiday = japanese_holiday_monday()
    clock.now = holiday.replace(hour=12)
    on_the_holiday = m.send_due_digests()
    assert PARTNER not in digests_sent(m, week_of(holiday))
    assert on_the_holiday.waiting >= 1
    assert m.notifier().next_digest(PARTNER) == holiday.replace(hour=8) + timedelta(days=1)

    clock.now = holiday.replace(hour=8) + timedelta(days=1, minutes=1)
    m.send_due_digests()
    as_of = digests_sent(m, week_of(holiday))[PARTNER]
    assert as_of == (holiday + timedelta(days=1)).date().isoformat()


def test_a_week_of_downtime_is_caught_up_by_one_run_and_nothing_goes_twice(
    config_dir, monitor, clock
):
    m = with_tokyo_partner(config_dir, monitor)
    m.send_due_digests()  # this week's
    clock.now = next_monday() + timedelta(days=3, hours=15)  # next Thursday afternoon
    report = m.run().digests
    assert (report.sent, report.waiting) == (3, 0)
    again = m.run().digests
    assert (again.sent, again.skipped) == (0, 3)


def test_digest_send_sends_now_whatever_the_send_times(config_dir, monitor, clock, run_cli):
    with_tokyo_partner(config_dir, monitor, send_at="18:00")
    clock.now = next_monday().replace(hour=6)  # before anyone's send time
    result = run_cli("digest", "--send")
    assert result.exit_status == 0, result.stderr
    assert "3 digests sent" in result.stdout


def test_run_says_who_is_still_waiting(config_dir, monitor, clock, run_cli):
    with_tokyo_partner(config_dir, monitor).send_due_digests()  # this week's
    clock.now = next_monday().replace(hour=7)  # 16:00 in Tokyo
    result = run_cli("run")
    assert result.exit_status == 0, result.stderr
    assert "1 digest sent, 2 waiting for their send time" in result.stdout


def test_health_judges_the_digest_by_the_earliest_send_time_that_has_passed(
    config_dir, monitor, clock
):
    monitor_ = with_tokyo_partner(config_dir, monitor)
    monitor_.send_due_digests()  # this week's
    tokyo_eight = datetime.combine(next_monday().date(), time(8, 0), tzinfo=TOKYO)
    clock.now = tokyo_eight + timedelta(hours=2)  # before 08:00 in London
    digest = next(h for h in monitor_.health() if h.kind == "digest")
    assert digest.expected_at == tokyo_eight
    assert digest.overdue
    said = describe(digest, "Europe/London")
    assert said.endswith(
        f"OVERDUE: scheduled {tokyo_eight.astimezone(LONDON):%Y-%m-%d %H:%M} (08:00 Asia/Tokyo)"
    )
    monitor_.send_due_digests()
    assert next(h for h in monitor_.health() if h.kind == "digest").ok


def test_serve_fires_at_each_send_time_and_at_no_other(config_dir, monitor):
    with_tokyo_partner(config_dir, monitor, calendar="JP")
    config = load_config(config_dir, now=TODAY)
    trigger = scheduler.triggers(config)["digest"]
    start = next_monday() - timedelta(days=1)
    firings, moment = [], start
    while (moment := trigger.get_next_fire_time(None, moment)) < start + timedelta(weeks=8):
        firings.append(moment)
        moment += timedelta(seconds=1)
    times = config.monitor.send_times(config.programme.timezone).values()
    # Each firing is a moment a digest falls due; there are two a week,
    # 08:00 in Tokyo (a day later after a Japanese holiday) and in London.
    assert len(firings) == 16
    assert all(last_due(times, f) == f for f in firings)
    local = {(f.astimezone(LONDON).hour, f.astimezone(TOKYO).hour) for f in firings}
    assert local <= {(8, 17), (23, 8)}


def test_serve_says_when_each_send_time_is(config_dir, monitor, clock):
    with_tokyo_partner(config_dir, monitor, calendar="JP")
    lines: list[str] = []
    jobs = {kind: lambda: None for kind in scheduler.KINDS}
    started = scheduler.start(
        monitor.load_config(), monitor.engine, jobs, clock=clock, echo=lines.append
    )
    started.shutdown(wait=True)
    [digest] = [line for line in lines if line.startswith("digest: next run")]
    assert digest.endswith("(0 8 * * mon; 08:00 Asia/Tokyo on JP working days)")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("send_at: 8am", "'8am' is not a time of day; use HH:MM"),
        ('send_at: "25:00"', "'25:00' is not a time of day; use HH:MM"),
        ("timezone: Tokyo", "'Tokyo' is not a time zone"),
        ("calendar: FR", "calendar"),
    ],
)
def test_a_bad_send_time_zone_or_calendar_is_refused_on_its_line(config_dir, run_cli, line, said):
    path = config_dir / "monitor.yaml"
    partner = f"  - email: someone@jst.example.jp\n    {line}\n"
    path.write_text(path.read_text().replace("recipients:\n", f"recipients:\n{partner}"))
    result = run_cli("validate")
    assert result.exit_status == 2
    assert "monitor.yaml:" in result.stderr and said in result.stderr
    assert "Traceback" not in result.stderr


def test_a_send_time_may_leave_out_the_leading_zero(config_dir, monitor):
    with_tokyo_partner(config_dir, monitor, send_at="7:30")
    assert monitor.notifier().send_times[PARTNER].at == time(7, 30)


def test_a_digest_schedule_at_more_than_one_time_is_refused(config_dir, run_cli):
    path = config_dir / "monitor.yaml"
    path.write_text(path.read_text().replace('"0 8 * * mon"', '"0 8,12 * * mon"'))
    result = run_cli("validate")
    assert result.exit_status == 2
    assert "must fire at one time of day on named weekdays" in result.stderr


def test_the_send_times_reach_the_database_for_health_to_read(config_dir, monitor):
    m = with_tokyo_partner(config_dir, monitor, calendar="JP")
    with m.engine.connect() as conn:
        stored = queries.load_programme(conn).digest_times
    assert stored == "08:00 Asia/Tokyo JP; 08:00 Europe/London"


def test_digest_send_counts_each_readers_week_in_their_own_zone(config_dir, monitor, clock):
    m = with_tokyo_partner(config_dir, monitor)
    monday = next_monday()
    clock.now = datetime.combine(monday.date(), time(8, 30), tzinfo=TOKYO)  # Sunday in London
    assert m.send_digests().sent == 3
    sunday = monday - timedelta(days=1)
    assert digests_sent(m, week_of(monday)) == {PARTNER: monday.date().isoformat()}
    assert set(digests_sent(m, week_of(sunday))) == {
        "pmo@example.org",
        "life-sciences-lead@example.org",
    }
