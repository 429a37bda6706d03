"""Working days in the UK nations' and Japan's calendars, at their real edges."""

from datetime import date

import pytest

from ukjp_monitor.plan.calendars import CALENDARS, WorkingDays

JP, ENG, SCT = WorkingDays(("JP",)), WorkingDays(("GB-ENG",)), WorkingDays(("GB-SCT",))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 29), "Showa Day"),
        (date(2026, 5, 4), "Greenery Day"),
        (date(2026, 5, 5), "Children's Day"),
        (date(2026, 5, 6), "Substitute Holiday"),  # for Constitution Day, a Sunday
    ],
)
def test_golden_week_is_not_working_days_in_japan(day, name):
    assert not JP.is_working_day(day)
    assert name in JP.holiday(day)
    # England works through Golden Week but for its own early May bank holiday.
    assert ENG.is_working_day(day) == (day != date(2026, 5, 4))


def test_after_golden_week_japan_works_again_on_thursday_7_may():
    assert JP.next_working_day(date(2026, 5, 2)) == date(2026, 5, 7)


@pytest.mark.parametrize("day", [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)])
def test_the_new_year_holidays_close_japan_from_31_december_to_3_january(day):
    assert not JP.is_working_day(day)


def test_japan_goes_back_to_work_on_monday_4_january_2027():
    assert JP.next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)


def test_a_uk_bank_holiday_monday_is_not_a_working_day():
    assert not ENG.is_working_day(date(2026, 8, 31))  # the summer bank holiday
    assert SCT.is_working_day(date(2026, 8, 31))  # Scotland's was on 3 August
    assert not SCT.is_working_day(date(2026, 8, 3))


def test_st_andrews_day_is_a_holiday_in_scotland_only():
    monday = date(2026, 11, 30)
    assert "Andrew" in SCT.holiday(monday)
    assert not SCT.is_working_day(monday)
    assert ENG.is_working_day(monday) and JP.is_working_day(monday)


def test_boxing_day_on_a_saturday_is_observed_on_the_monday():
    assert not ENG.is_working_day(date(2026, 12, 28))
    assert ENG.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)


def test_both_countries_together_work_only_on_days_that_are_working_days_in_each():
    both = WorkingDays(("GB-ENG", "JP"))
    assert not both.is_working_day(date(2026, 5, 6))  # Japan's substitute holiday
    assert not both.is_working_day(date(2026, 12, 28))  # England's Boxing Day observed
    # 2 to 31 December 2026: 22 weekdays less 25, 28 (England) and 31 (Japan).
    assert both.between(date(2026, 12, 1), date(2026, 12, 31)) == 19


def test_working_days_between_count_across_years_and_backwards():
    eng = WorkingDays(("GB-ENG",))
    forward = eng.between(date(2026, 11, 24), date(2028, 3, 31))
    assert forward == -eng.between(date(2028, 3, 31), date(2026, 11, 24))
    assert forward == sum(
        eng.is_working_day(date.fromordinal(n))
        for n in range(date(2026, 11, 25).toordinal(), date(2028, 3, 31).toordinal() + 1)
    )


def test_an_unknown_calendar_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="GB-ENG, GB-SCT, GB-WLS, GB-NIR, JP"):
        WorkingDays(("FR",))
    assert CALENDARS == ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR", "JP")
