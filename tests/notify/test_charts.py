"""The status page's SVG: the milestone-trend chart and the timeline rows."""

import re
from datetime import date

from ukjp_monitor.notify.charts import timeline_axis, timeline_bar, trend_chart
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.status import Milestone, evaluate
from ukjp_monitor.plan.trail import TrailPoint

TODAY = date(2026, 11, 24)


def test_the_trend_chart_plots_each_forecast_the_diagonal_and_today():
    trail = [
        TrailPoint(date(2026, 2, 3), parse_period("2026-H2"), "added"),
        TrailPoint(date(2026, 9, 1), parse_period("2027-Q1"), "forecast"),
    ]
    svg = trend_chart(trail, today=TODAY, done=None, title="Pilot")
    assert svg.count("<rect") == 4  # two forecasts, in the wide and the narrow drawing
    assert 'stroke-dasharray="6 4"' in svg  # the diagonal
    assert ">today</text>" in svg
    assert "1 Sep 2026: Q1 2027" in svg
    assert re.search(r'<polyline points="[^"]+"', svg)


def test_the_done_point_sits_on_the_diagonal():
    trail = [TrailPoint(date(2026, 2, 3), parse_period("2026-02-03"), "added")]
    svg = trend_chart(trail, today=TODAY, done=date(2026, 2, 3), title="Announced")
    wide = svg.split("</svg>")[0]
    cx, cy = re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="7"', wide).groups()
    assert ">done</text>" in wide
    # x runs 64 → 624 and y 356 → 16 over the same days: on the diagonal,
    # the share of the way along each axis is the same.
    assert abs((float(cx) - 64) / 560 - (356 - float(cy)) / 340) < 0.01


def test_no_chart_without_a_dated_forecast():
    assert (
        trend_chart([TrailPoint(TODAY, None, "added")], today=TODAY, done=None, title="x") is None
    )


def test_titles_are_escaped_in_the_chart():
    trail = [TrailPoint(TODAY, parse_period("2026-12"), "added")]
    svg = trend_chart(trail, today=TODAY, done=None, title="<script>alert(1)</script>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_timeline_row_draws_target_and_forecast_windows_and_today():
    m = Milestone(
        "pilot",
        "Pilot",
        "life-sciences",
        parse_period("2026-H2"),
        forecast=parse_period("2027-Q1"),
        reforecast=True,
    )
    [a] = evaluate([m], TODAY)
    bar = timeline_bar(a, date(2026, 1, 1), date(2027, 12, 31), TODAY)
    assert bar.count("<rect") == 2 and bar.count("<line") == 1
    axis = timeline_axis(date(2026, 1, 1), date(2027, 12, 31), TODAY, width=330, most=3)
    assert len(re.findall(r"<text ", axis)) <= 3
