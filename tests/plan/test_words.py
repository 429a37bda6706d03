from datetime import date

import pytest

from ukjp_monitor.plan import words
from ukjp_monitor.plan.periods import parse_period


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("2026-H2", "H2 2026"),
        ("Q1 2027", "Q1 2027"),
        ("2026-09", "Sep 2026"),
        ("2026", "2026"),
        ("FY2026", "FY2026 (Apr 2026 – Mar 2027)"),
        ({"from": "2026-10-01", "to": "2027-01-31"}, "1 Oct 2026 – 31 Jan 2027"),
        ("2026-12-01", "1 Dec 2026"),
        ("TBC", "TBC"),
    ],
)
def test_periods_in_words(target, expected):
    assert words.period(parse_period(target)) == expected


def test_dates_and_counts_in_words():
    assert words.weekday(date(2026, 12, 1)) == "Tue 1 Dec 2026"
    assert words.day(date(2026, 12, 31)) == "31 Dec 2026"
    assert words.count(3812) == "3,812"
    assert words.counted(1, "milestone") == "1 milestone"
    assert words.counted(100000, "milestone") == "100,000 milestones"
    assert words.days(1) == "1 day"
