"""Target periods (DESIGN §2): every accepted form, its window and its canonical text."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ukjp_monitor.plan.periods import ACCEPTED_FORMS, Period, PeriodError, parse_day, parse_period

D = date


def form(description, value, text, start, end):
    return pytest.param(value, text, start, end, id=description)


ACCEPTED = [
    # -- every form of DESIGN §2, with its canonical text and inclusive window
    form("a day is that day",
         "2026-09-30", "2026-09-30", D(2026, 9, 30), D(2026, 9, 30)),
    form("a day read by YAML as a date is that day",
         D(2026, 9, 30), "2026-09-30", D(2026, 9, 30), D(2026, 9, 30)),
    form("a month is the whole month",
         "2026-09", "2026-09", D(2026, 9, 1), D(2026, 9, 30)),
    form("december ends on the thirty-first",
         "2026-12", "2026-12", D(2026, 12, 1), D(2026, 12, 31)),
    form("a quarter written year first",
         "2026-Q3", "2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
    form("a quarter written quarter first",
         "Q3 2026", "2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
    form("the first quarter starts in january",
         "2026-Q1", "2026-Q1", D(2026, 1, 1), D(2026, 3, 31)),
    form("the fourth quarter ends the year",
         "Q4 2026", "2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
    form("a half written year first",
         "2026-H2", "2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
    form("a half written half first",
         "H2 2026", "2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
    form("the first half ends in june",
         "H1 2026", "2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
    form("a year is january to december",
         "2026", "2026", D(2026, 1, 1), D(2026, 12, 31)),
    form("a year read by YAML as a number",
         2026, "2026", D(2026, 1, 1), D(2026, 12, 31)),
    form("a financial year runs april to march",
         "FY2026", "FY2026", D(2026, 4, 1), D(2027, 3, 31)),
    form("an explicit window as a mapping is as given",
         {"from": "2026-10-01", "to": "2027-01-31"},
         "2026-10-01..2027-01-31", D(2026, 10, 1), D(2027, 1, 31)),
    form("an explicit window of YAML dates is as given",
         {"from": D(2026, 10, 1), "to": D(2027, 1, 31)},
         "2026-10-01..2027-01-31", D(2026, 10, 1), D(2027, 1, 31)),
    form("an explicit window as text is as given",
         "2026-10-01..2027-01-31", "2026-10-01..2027-01-31", D(2026, 10, 1), D(2027, 1, 31)),
    form("an explicit window may be a single day",
         {"from": "2026-10-01", "to": "2026-10-01"},
         "2026-10-01..2026-10-01", D(2026, 10, 1), D(2026, 10, 1)),
    # -- leap years
    form("february 2024 has a leap day",
         "2024-02", "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    form("february 2026 has none",
         "2026-02", "2026-02", D(2026, 2, 1), D(2026, 2, 28)),
    form("february 2100 has none because centuries skip it",
         "2100-02", "2100-02", D(2100, 2, 1), D(2100, 2, 28)),
    form("february 2000 has one because every fourth century keeps it",
         "2000-02", "2000-02", D(2000, 2, 1), D(2000, 2, 29)),
    form("a leap day is a day",
         "2024-02-29", "2024-02-29", D(2024, 2, 29), D(2024, 2, 29)),
    form("FY2027 ends on 31 march 2028 whatever february does",
         "FY2027", "FY2027", D(2027, 4, 1), D(2028, 3, 31)),
    form("FY2023 ends on 31 march 2024",
         "FY2023", "FY2023", D(2023, 4, 1), D(2024, 3, 31)),
    # -- case and whitespace
    form("case does not matter",
         "q3 2026", "2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
    form("surrounding space does not matter",
         " 2026-h2 ", "2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
    form("runs of inner space count as one",
         "h1   2026", "2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
    form("a lower case financial year",
         "fy2026", "FY2026", D(2026, 4, 1), D(2027, 3, 31)),
]  # fmt: skip


@pytest.mark.parametrize(("value", "text", "start", "end"), ACCEPTED)
def test_each_accepted_form_gives_its_window_and_canonical_text(value, text, start, end):
    period = parse_period(value)
    assert period == Period(text, start, end)
    assert str(period) == text


@pytest.mark.parametrize("text", ["2026-09-30", "2026-Q3", "2026-H2", "2026", "FY2026"])
def test_the_canonical_text_parses_back_to_the_same_period(text):
    assert parse_period(str(parse_period(text))) == parse_period(text)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="null"),
        pytest.param("TBC", id="TBC"),
        pytest.param("tbc", id="tbc in lower case"),
        pytest.param(" TBC ", id="TBC with spaces"),
        pytest.param("", id="the empty string"),
        pytest.param("   ", id="blank text"),
        pytest.param("null", id="null spelled out"),
    ],
)
def test_a_target_to_be_confirmed_has_no_window(value):
    assert parse_period(value) is None


def rejected(description, value, reason):
    return pytest.param(value, reason, id=description)


#: "not a period" means the message goes on to name every accepted form.
REJECTED = [
    rejected("30 february is no date", "2026-02-30", "not a real date"),
    rejected("29 february 2025 is no date", "2025-02-29", "not a real date"),
    rejected("there is no thirteenth month", "2026-13", "not a real month"),
    rejected("there is no month zero", "2026-00", "not a real month"),
    rejected("there is no fifth quarter", "2026-Q5", "not a period"),
    rejected("there is no quarter zero", "Q0 2026", "not a period"),
    rejected("there is no third half", "H3 2026", "not a period"),
    rejected("a financial year needs four digits", "FY26", "not a period"),
    rejected("a financial year has no space", "FY 2026", "not a period"),
    rejected("soon is not a date", "soon", "not a period"),
    rejected("a month needs two digits", "2026-9", "not a period"),
    rejected("there is no year zero", "0000", "not a period"),
    rejected("FY9999 would end after the calendar does", "FY9999", "not a period"),
    rejected("a YAML boolean is not a year", True, "not a period"),
    rejected("a fractional number is not a year", 2026.5, "not a period"),
    rejected("a list is not a period", ["2026"], "not a period"),
    rejected("a moment is not a day", datetime(2026, 9, 30, 9, 0), "not a period"),
    rejected("an explicit window may not end before it starts",
             {"from": "2026-10-01", "to": "2026-09-30"}, "ends (2026-09-30) before it starts"),
    rejected("an explicit window as text may not end before it starts",
             "2026-10-01..2026-09-30", "ends (2026-09-30) before it starts"),
    rejected("an explicit window takes no extra key",
             {"from": "2026-10-01", "to": "2027-01-31", "until": "2027-02-01"},
             "exactly the keys 'from' and 'to'"),
    rejected("an explicit window needs both ends",
             {"from": "2026-10-01"}, "exactly the keys 'from' and 'to'"),
    rejected("an explicit window is bounded by days not months",
             {"from": "2026-10", "to": "2026-12"}, "not a date"),
    rejected("an explicit window is bounded by days not moments",
             {"from": datetime(2026, 10, 1, 9, 0), "to": "2026-12-31"}, "not a date"),
    rejected("an explicit window as text needs real dates",
             "2026-10-01..2026-02-30", "not a real date"),
]  # fmt: skip


@pytest.mark.parametrize(("value", "reason"), REJECTED)
def test_anything_else_is_rejected_with_a_reason(value, reason):
    with pytest.raises(PeriodError) as caught:
        parse_period(value)
    assert reason in str(caught.value)
    if reason == "not a period":
        assert str(caught.value).endswith(f"is not a period; use {ACCEPTED_FORMS}")


def test_the_accepted_forms_message_names_every_form():
    spellings = ("YYYY-MM-DD", "YYYY-MM", "YYYY-Qn", "Qn YYYY", "YYYY-Hn", "Hn YYYY", "FYYYYY",
                 "{from: YYYY-MM-DD, to: YYYY-MM-DD}", "YYYY-MM-DD..YYYY-MM-DD", "TBC")  # fmt: skip
    for spelling in spellings:
        assert spelling in ACCEPTED_FORMS


def test_a_period_contains_both_ends_of_its_window():
    quarter = parse_period("2026-Q3")
    assert D(2026, 7, 1) in quarter
    assert D(2026, 9, 30) in quarter
    assert D(2026, 6, 30) not in quarter
    assert D(2026, 10, 1) not in quarter


def test_a_single_day_is_parsed_with_surrounding_space_ignored():
    assert parse_day(" 2026-09-30 ") == D(2026, 9, 30)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2026-09", id="a month"),
        pytest.param("30/09/2026", id="a day written the british way"),
        pytest.param("2026-02-30", id="30 february"),
        pytest.param(datetime(2026, 9, 30, 9, 0), id="a moment"),
    ],
)
def test_a_single_day_must_be_a_real_calendar_date(value):
    with pytest.raises(PeriodError, match="not a"):
        parse_day(value)


def test_a_target_written_again_is_the_same_period_and_a_bad_one_is_refused_each_time():
    first, again = parse_period("Q3 2026"), parse_period("Q3 2026")
    assert again == first == Period("2026-Q3", D(2026, 7, 1), D(2026, 9, 30))
    assert parse_period(2026) == parse_period("2026")
    for _ in range(2):
        with pytest.raises(PeriodError, match=r"^'2026-02-30' is not a real date"):
            parse_period("2026-02-30")
        with pytest.raises(PeriodError, match=r"^99999 is not a period; use "):
            parse_period(99999)
        with pytest.raises(PeriodError, match=r"^'99999' is not a period; use "):
            parse_period("99999")
