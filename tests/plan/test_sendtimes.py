"""When each reader's weekly digest falls due: their zone, their send time,
their holidays (DESIGN §14). The instants are given, so these hold on any date."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ukjp_monitor.plan.sendtimes import (
    DigestSchedule,
    SendTime,
    distinct,
    last_due,
    next_due,
    parse_stored,
    prefect_schedules,
    stored_send_times,
)

MONDAYS_8 = DigestSchedule.from_cron("0 8 * * mon")
THURSDAYS_8 = DigestSchedule.from_cron("0 8 * * thu")
LONDON, TOKYO = "Europe/London", "Asia/Tokyo"


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def test_a_schedule_is_a_day_of_the_week_and_a_time():
    assert DigestSchedule(frozenset({0}), time(8, 0)) == MONDAYS_8
    weekdays = DigestSchedule.from_cron("30 7 * * mon-fri")
    assert weekdays.weekdays == frozenset(range(5)) and weekdays.at == time(7, 30)
    assert DigestSchedule.from_cron("0 8 * * tue,thu").weekdays == frozenset({1, 3})


@pytest.mark.parametrize("cron", ["*/15 8 * * mon", "0 8-9 * * mon", "0 8 1 * *", "0 8 * 6 mon"])
def test_a_schedule_must_fire_at_one_time_of_day(cron):
    with pytest.raises(ValueError, match="one time of day on named weekdays"):
        DigestSchedule.from_cron(cron)


def test_a_london_reader_is_due_from_eight_on_monday_until_the_week_ends():
    reader = SendTime(MONDAYS_8, time(8, 0), LONDON)
    assert reader.due(at(LONDON, 2026, 11, 30, 7, 59)) is None
    due = reader.due(at(LONDON, 2026, 11, 30, 8, 0))
    assert due is not None and (due.week, due.as_of) == ("2026-W49", date(2026, 11, 30))
    later = reader.due(at(LONDON, 2026, 12, 3, 15, 0))  # a machine off since Sunday
    assert later is not None and (later.week, later.as_of) == ("2026-W49", date(2026, 12, 3))


def test_a_tokyo_reader_at_eight_is_due_at_eleven_the_sunday_before_in_london():
    reader = SendTime(MONDAYS_8, time(8, 0), TOKYO)
    assert reader.due(at(LONDON, 2026, 11, 29, 22, 59)) is None
    due = reader.due(at(LONDON, 2026, 11, 29, 23, 0))
    # The week and the day are the reader's own: Monday in Tokyo, week 49.
    assert due is not None and (due.week, due.as_of) == ("2026-W49", date(2026, 11, 30))
    assert due.moment == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)


def test_a_japanese_public_holiday_moves_the_digest_to_the_next_working_day():
    # Monday 23 November 2026 is Labour Thanksgiving Day (勤労感謝の日).
    reader = SendTime(MONDAYS_8, time(8, 0), TOKYO, "JP")
    assert reader.due(at(TOKYO, 2026, 11, 23, 12, 0)) is None
    due = reader.due(at(TOKYO, 2026, 11, 24, 8, 0))
    assert due is not None and (due.week, due.as_of) == ("2026-W48", date(2026, 11, 24))


def test_golden_week_holds_a_monday_digest_until_thursday():
    # 2026: Greenery Day Mon 4 May, Children's Day Tue 5 May, and Wed 6 May
    # the substitute holiday for Constitution Day, which fell on a Sunday.
    reader = SendTime(MONDAYS_8, time(8, 0), TOKYO, "JP")
    assert reader.moment(date(2026, 5, 4)) == at(TOKYO, 2026, 5, 7, 8, 0)
    assert reader.due(at(TOKYO, 2026, 5, 6, 23, 0)) is None


def test_the_new_year_moves_a_thursday_digest_into_the_next_week_and_it_still_counts_for_its_own():
    # 31 December to 3 January are bank holidays in Japan; Thursday 31
    # December 2026 is in ISO week 53, Monday 4 January 2027 in week 1.
    reader = SendTime(THURSDAYS_8, time(8, 0), TOKYO, "JP")
    assert reader.moment(date(2026, 12, 28)) == at(TOKYO, 2027, 1, 4, 8, 0)
    due = reader.due(at(TOKYO, 2027, 1, 4, 9, 0))
    assert due is not None and (due.week, due.as_of) == ("2026-W53", date(2027, 1, 4))
    this_week = reader.due(at(TOKYO, 2027, 1, 7, 8, 0))
    assert this_week is not None and this_week.week == "2027-W01"


def test_a_uk_bank_holiday_monday_moves_the_digest_to_tuesday():
    reader = SendTime(MONDAYS_8, time(8, 0), LONDON, "GB-ENG")
    assert reader.moment(date(2026, 8, 31)) == at(LONDON, 2026, 9, 1, 8, 0)  # summer bank holiday


def test_st_andrews_day_is_a_holiday_in_scotland_but_not_in_england():
    # 30 November 2026 is a Monday.
    scotland = SendTime(MONDAYS_8, time(8, 0), LONDON, "GB-SCT")
    england = SendTime(MONDAYS_8, time(8, 0), LONDON, "GB-ENG")
    assert scotland.moment(date(2026, 11, 30)) == at(LONDON, 2026, 12, 1, 8, 0)
    assert england.moment(date(2026, 11, 30)) == at(LONDON, 2026, 11, 30, 8, 0)


def test_a_substitute_holiday_counts_as_a_holiday():
    # Boxing Day 2026 is a Saturday; England's substitute day is Monday 28 December.
    reader = SendTime(MONDAYS_8, time(8, 0), LONDON, "GB-ENG")
    assert reader.moment(date(2026, 12, 28)) == at(LONDON, 2026, 12, 29, 8, 0)


def test_a_send_time_follows_its_zone_across_a_clock_change():
    # London moves to summer time on Sunday 29 March 2026; 08:00 stays 08:00.
    reader = SendTime(MONDAYS_8, time(8, 0), LONDON)
    assert reader.moment(date(2026, 3, 23)).astimezone(UTC).hour == 8
    assert reader.moment(date(2026, 3, 30)).astimezone(UTC).hour == 7


def test_the_last_and_next_moments_across_readers():
    london = SendTime(MONDAYS_8, time(8, 0), LONDON)
    tokyo = SendTime(MONDAYS_8, time(8, 0), TOKYO)
    sunday_night = at(LONDON, 2026, 11, 29, 23, 30)
    assert last_due([london, tokyo], sunday_night) == at(TOKYO, 2026, 11, 30, 8, 0)
    assert next_due([london, tokyo], sunday_night) == at(LONDON, 2026, 11, 30, 8, 0)
    assert next_due([tokyo], at(TOKYO, 2026, 11, 30, 8, 0)) == at(TOKYO, 2026, 11, 30, 8, 0)
    later = at(TOKYO, 2026, 11, 30, 8, 0) + timedelta(seconds=1)
    assert next_due([tokyo], later) == at(TOKYO, 2026, 12, 7, 8, 0)
    assert last_due([], sunday_night) is None and next_due([], sunday_night) is None


def test_send_times_are_stored_as_one_line_and_read_back():
    times = [
        SendTime(MONDAYS_8, time(8, 0), LONDON),
        SendTime(MONDAYS_8, time(8, 0), TOKYO, "JP"),
        SendTime(MONDAYS_8, time(8, 0), LONDON),
    ]
    stored = stored_send_times(times)
    assert stored == "08:00 Asia/Tokyo JP; 08:00 Europe/London"
    assert parse_stored(stored, MONDAYS_8) == distinct(times)


def test_a_prefect_deployment_fires_daily_only_where_a_calendar_can_move_the_day():
    times = [SendTime(MONDAYS_8, time(8, 0), LONDON), SendTime(MONDAYS_8, time(9, 30), TOKYO, "JP")]
    assert prefect_schedules(times) == [
        {"cron": "0 8 * * mon", "timezone": LONDON},
        {"cron": "30 9 * * *", "timezone": TOKYO},
    ]
