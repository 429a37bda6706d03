"""The forecast trail: the windows a milestone's events gave it, and when."""

from datetime import UTC, date, datetime

from ukjp_monitor.plan.trail import forecast_trail


def event(day: int, kind: str, **details):
    return {"at": datetime(2026, 11, day, 23, 30, tzinfo=UTC), "kind": kind, "details": details}


def test_the_trail_starts_with_the_target_and_follows_each_forecast():
    trail = forecast_trail(
        [
            event(1, "added", target="2026-H2"),
            event(2, "transition", old="new", new="due"),
            event(3, "forecast", old="2026-H2", new="2027-Q1"),
            event(4, "forecast", old="2027-Q1", new="TBC"),
        ],
        "UTC",
    )
    assert [(p.made_on.day, p.window and p.window.text, p.kind) for p in trail] == [
        (1, "2026-H2", "added"),
        (3, "2027-Q1", "forecast"),
        (4, None, "forecast"),
    ]


def test_a_forecast_is_dated_in_the_programme_time_zone():
    [point] = forecast_trail([event(1, "added", target="2026-H2")], "Asia/Tokyo")
    assert point.made_on == date(2026, 11, 2)  # 23:30 UTC is the next morning in Tokyo


def test_a_rebaseline_moves_the_window_only_until_the_first_forecast():
    trail = forecast_trail(
        [
            event(1, "added", target="2026-H2"),
            event(2, "rebaselined", old="2026-H2", new="2026-Q4"),
            event(3, "forecast", old="2026-Q4", new="2027-Q1"),
            event(4, "rebaselined", old="2026-Q4", new="2027"),
        ],
        "UTC",
    )
    assert [p.window.text for p in trail if p.window] == ["2026-H2", "2026-Q4", "2027-Q1"]
