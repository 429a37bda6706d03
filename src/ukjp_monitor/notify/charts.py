"""The status page's pictures, drawn on the server as SVG: pure functions of
plain data, no clock (``today`` is passed in).

* ``trend_chart``: the milestone-trend chart. x is the day each forecast was
  made, y the window forecast then (a bar from its start to its end, and a
  line through the ends); the diagonal is where forecast and calendar meet,
  so a milestone is done where its line reaches it. Today is marked.
* ``timeline_axis`` and ``timeline_bar``: one row per milestone, its target
  (baseline) above its forecast window, on a shared time axis, today marked.

Everything from the data is escaped; nothing is styled inline (the page's
Content-Security-Policy allows no inline style), so colours are SVG
presentation attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

from ukjp_monitor.plan import words
from ukjp_monitor.plan.periods import Period
from ukjp_monitor.plan.status import Assessment
from ukjp_monitor.plan.trail import TrailPoint

#: Fill colours, each at least 3:1 against white (WCAG non-text contrast).
RAG_FILL = {"red": "#b3261e", "amber": "#e3a008", "green": "#1e7b34", "grey": "#5f6368"}
INK, GRID, BASELINE = "#1f2328", "#d0d7de", "#8c959f"
TREND_BLUE = "#0b57d0"


def _month_ticks(lo: date, hi: date, most: int) -> list[date]:
    """First days of months between ``lo`` and ``hi``, every n-th so at most ``most``."""
    months = []
    day = date(lo.year, lo.month, 1)
    while day <= hi:
        if day >= lo:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    for step in (1, 2, 3, 6, 12, 24, 60):
        picked = [m for m in months if (m.year * 12 + m.month - 1) % step == 0]
        if len(picked) <= most:
            return picked
    return months[:: max(1, len(months) // most)]


def _span(days: Sequence[date], pad: int) -> tuple[date, date]:
    lo, hi = min(days), max(days)
    return lo - timedelta(days=pad), hi + timedelta(days=pad)


class _Scale:
    """Days between ``lo`` and ``hi`` onto pixels between ``a`` and ``b``."""

    def __init__(self, lo: date, hi: date, a: float, b: float):
        self.lo, self.days, self.a, self.b = lo, max((hi - lo).days, 1), a, b

    def __call__(self, day: date) -> float:
        return round(self.a + (self.b - self.a) * (day - self.lo).days / self.days, 1)


#: The trend chart's two drawings: (width, height, most ticks). The page shows
#: the wide one from 600 px up and the narrow one below, so that its text
#: stays readable on a phone instead of shrinking with the picture.
TREND_SIZES = ((640, 400, 6), (340, 320, 3))


def trend_chart(
    trail: Sequence[TrailPoint], *, today: date, done: date | None, title: str
) -> Markup | None:
    """The milestone-trend chart (a wide and a narrow drawing), or None when
    no forecast ever had a window."""
    dated = [p for p in trail if p.window is not None]
    if not dated:
        return None
    drawings = [_trend(dated, today, done, title, *size) for size in TREND_SIZES]
    return Markup("".join(drawings))


def _trend(
    dated: Sequence[TrailPoint],
    today: date,
    done: date | None,
    title: str,
    width: int,
    height: int,
    ticks: int,
) -> str:
    end_day = done or today
    days = [d for p in dated if p.window for d in (p.made_on, p.window.start, p.window.end)]
    lo, hi = _span([*days, today, end_day], pad=10)
    left, right, top, bottom = 64, width - 16, 16, height - 44
    x, y = _Scale(lo, hi, left, right), _Scale(lo, hi, bottom, top)
    out = [
        f'<svg class="trend trend-{width}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Milestone trend: {escape(title)}">'
    ]
    for tick in _month_ticks(lo, hi, ticks):
        label = escape(words.month(tick))
        out.append(
            f'<line x1="{x(tick)}" y1="{top}" x2="{x(tick)}" y2="{bottom}" stroke="{GRID}"/>'
            f'<line x1="{left}" y1="{y(tick)}" x2="{right}" y2="{y(tick)}" stroke="{GRID}"/>'
            f'<text x="{x(tick)}" y="{bottom + 18}" font-size="12" text-anchor="middle" '
            f'fill="{INK}">{label}</text>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{label}</text>'
        )
    out.append(
        f'<line x1="{x(lo)}" y1="{y(lo)}" x2="{x(hi)}" y2="{y(hi)}" stroke="{INK}" '
        'stroke-dasharray="6 4"/>'
        f'<text x="{left}" y="{bottom + 36}" font-size="12" fill="{INK}">'
        "date the forecast was made →</text>"
    )
    out.append(_today_line(x(today), top, bottom))
    steps = []
    for i, p in enumerate(dated):
        window = p.window
        assert window is not None
        nxt = dated[i + 1].made_on if i + 1 < len(dated) else max(p.made_on, end_day)
        steps += [f"{x(p.made_on)},{y(window.end)}", f"{x(nxt)},{y(window.end)}"]
        label = escape(f"{words.day(p.made_on)}: {words.period(window)}")
        out.append(
            f'<rect x="{x(p.made_on) - 4}" y="{y(window.end)}" width="8" '
            f'height="{max(y(window.start) - y(window.end), 2)}" fill="{TREND_BLUE}" '
            f'fill-opacity="0.35" stroke="{TREND_BLUE}"><title>{label}</title></rect>'
            f'<circle cx="{x(p.made_on)}" cy="{y(window.end)}" r="4" fill="{TREND_BLUE}"/>'
        )
    out.append(
        f'<polyline points="{" ".join(steps)}" fill="none" stroke="{TREND_BLUE}" stroke-width="2"/>'
    )
    if done is not None:
        out.append(
            f'<circle cx="{x(done)}" cy="{y(done)}" r="7" fill="{RAG_FILL["green"]}" '
            f'stroke="{INK}"><title>done {escape(words.day(done))}</title></circle>'
            f'<text x="{x(done) + 10}" y="{y(done) + 4}" font-size="12" fill="{INK}">done</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _today_line(at: float, top: float, bottom: float) -> str:
    return (
        f'<line x1="{at}" y1="{top}" x2="{at}" y2="{bottom}" stroke="{INK}" stroke-width="2"/>'
        # Low on the line: forecasts lie above the diagonal, so the corner
        # below it is where the label covers nothing.
        f'<text x="{at - 4}" y="{bottom - 6}" font-size="12" text-anchor="end" fill="{INK}">'
        "today</text>"
    )


def timeline_span(assessments: Sequence[Assessment], today: date) -> tuple[date, date]:
    """The dates a timeline covers: every window shown, and today."""
    days = [today]
    for a in assessments:
        for p in (a.milestone.target, a.milestone.window):
            if p is not None:
                days += [p.start, p.end]
    return _span(days, pad=15)


def timeline_axis(lo: date, hi: date, today: date, *, width: int, most: int) -> Markup:
    """The shared axis, ``width`` units wide (the page shows a wide and a narrow one)."""
    x = _Scale(lo, hi, 0, width)
    out = [
        f'<svg class="axis axis-{width}" viewBox="0 0 {width} 30" aria-hidden="true">',
        f'<line x1="0" y1="29" x2="{width}" y2="29" stroke="{INK}"/>',
    ]
    for tick in _month_ticks(lo, hi, most):
        share = x(tick) / width
        anchor = "start" if share < 0.08 else "end" if share > 0.92 else "middle"
        out.append(
            f'<line x1="{x(tick)}" y1="22" x2="{x(tick)}" y2="29" stroke="{INK}"/>'
            f'<text x="{x(tick)}" y="16" font-size="12" text-anchor="{anchor}" fill="{INK}">'
            f"{escape(words.month(tick))}</text>"
        )
    out.append(
        f'<line x1="{x(today)}" y1="0" x2="{x(today)}" y2="30" stroke="{INK}" stroke-width="3"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))


def timeline_bar(a: Assessment, lo: date, hi: date, today: date) -> Markup:
    """One milestone's row: its target (grey, above) and forecast window (its RAG colour)."""
    x = _Scale(lo, hi, 0, 1000)

    def rect(p: Period, top: int, height: int, fill: str, stroke: str) -> str:
        width = max(x(p.end + timedelta(days=1)) - x(p.start), 6)
        return (
            f'<rect x="{x(p.start)}" y="{top}" width="{round(width, 1)}" height="{height}" '
            f'fill="{fill}" stroke="{stroke}" vector-effect="non-scaling-stroke"/>'
        )

    m = a.milestone
    out = ['<svg class="bar" viewBox="0 0 1000 26" preserveAspectRatio="none" aria-hidden="true">']
    if m.target is not None:
        out.append(rect(m.target, 2, 8, "#eaeef2", BASELINE))
    if m.window is not None:
        out.append(rect(m.window, 13, 11, RAG_FILL[a.rag.value], INK))
    out.append(
        f'<line x1="{x(today)}" y1="0" x2="{x(today)}" y2="26" stroke="{INK}" '
        'stroke-width="2" vector-effect="non-scaling-stroke"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))
