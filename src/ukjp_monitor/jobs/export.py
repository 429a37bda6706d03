"""Exports: an iCalendar feed of the plan, or the data as JSON or CSV.

The calendar has one all-day event per scheduled milestone. Its UID is the
milestone id, so a subscribed calendar updates the event when a date moves
instead of adding a second one; SEQUENCE counts the milestone's recorded
changes so clients know which copy is newer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ukjp_monitor.jobs.standing import Standing
from ukjp_monitor.plan.meter import Meter, silent
from ukjp_monitor.plan.report import record, to_csv, to_json_document
from ukjp_monitor.plan.status import Status

UID_DOMAIN = "ukjp-monitor"
FORMATS = ("ics", "json", "csv")


def export(
    standing: Standing,
    fmt: str,
    details: dict[str, dict[str, Any]],
    tally: Mapping[str, tuple[int, datetime]],
    *,
    meter: Meter = silent,
) -> str:
    """The whole programme in ``fmt``; ``details`` adds owner, amount, source;
    ``tally`` (ics only) each milestone's count of events and the last one's
    time (``queries.event_tally``). Building a calendar event is slow enough
    to report each to ``meter``."""
    if fmt == "ics":
        with meter("exporting calendar events", len(standing.assessments)) as advance:
            return to_ics(standing, details, tally, advance)
    # JSON encodes each row as it is built, rather than holding 100,000 at once.
    each = ({**record(a), **details.get(a.milestone.id, {})} for a in standing.assessments)
    if fmt == "json":
        head = {"programme": standing.programme.name, "as_of": standing.as_of}
        return to_json_document(head, "milestones", each) + "\n"
    rows = list(each)
    fields = (*rows[0].keys(),) if rows else ()
    return to_csv(rows, fields)


def to_ics(
    standing: Standing,
    details: dict[str, dict[str, Any]],
    tally: Mapping[str, tuple[int, datetime]],
    advance: Callable[[int], None],
) -> str:
    """The calendar, each event serialised as soon as it is built: 100,000
    icalendar objects kept for one ``to_ical`` at the end took gigabytes."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//ukjp-monitor//milestones//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", standing.programme.name)
    cal.add("x-wr-timezone", standing.programme.timezone)
    serialised: list[str] = []
    for a in standing.assessments:
        advance(1)
        m, window = a.milestone, a.milestone.window
        if window is None:
            continue
        extra = details.get(m.id, {})
        event = Event()
        event.add("uid", f"{m.id}@{UID_DOMAIN}")
        changes, last_change = tally.get(m.id, (0, None))
        event.add("dtstamp", last_change or datetime(2026, 1, 1, tzinfo=UTC))
        event.add("sequence", changes)
        event.add("summary", m.title)
        event.add("dtstart", window.start)
        event.add("dtend", window.end + timedelta(days=1))  # DTEND is exclusive
        event.add("transp", "TRANSPARENT")
        event.add("status", "CANCELLED" if a.status is Status.CANCELLED else "CONFIRMED")
        event.add("categories", [m.workstream])
        event.add("description", _description(a, extra))
        if extra.get("source"):
            event.add("url", extra["source"])
        if a.is_open:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{m.title}: window opens in {m.lead_days} days")
            alarm.add("trigger", timedelta(days=-m.lead_days))
            event.add_component(alarm)
        serialised.append(event.to_ical().decode("utf-8"))
    # The calendar's own lines, then its events, as Calendar.to_ical would nest them.
    head, end = cal.to_ical().decode("utf-8").rsplit("END:VCALENDAR", 1)
    return head + "".join(serialised) + "END:VCALENDAR" + end


def _description(a, extra: dict[str, Any]) -> str:
    m = a.milestone
    lines = [
        f"Status {a.status.value} ({a.rag.value}) as of {a.as_of}",
        f"Target: {m.target.text if m.target else 'TBC'}",
    ]
    if m.reforecast:
        lines.append(f"Forecast: {m.forecast.text if m.forecast else 'TBC'}")
    for key, label in (("owner", "Owner"), ("amount", "Amount"), ("source", "Source")):
        if extra.get(key):
            lines.append(f"{label}: {extra[key]}")
    return "\n".join(lines)
