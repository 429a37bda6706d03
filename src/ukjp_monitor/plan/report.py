"""Turning assessments and events into records (JSON, CSV) and words.

Pure functions; the tables themselves are drawn in ``tables.py`` so that the
JSON and CSV paths never import Rich.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.history import describe
from ukjp_monitor.plan.status import URGENCY, Assessment, Status

FIELDS = (
    "id",
    "title",
    "workstream",
    "status",
    "rag",
    "target",
    "forecast",
    "window_start",
    "window_end",
    "completed_on",
    "cancelled_on",
    "slip_days",
    "at_risk",
    "blocked_by",
    "depends_on",
    "days_to_start",
    "days_to_end",
    "lead_days",
    "owner",
    "as_of",
)


def record(a: Assessment, calendar: WorkingDays | None = None) -> dict[str, Any]:
    """One assessment as JSON-ready data (ISO dates, null for none).

    ``target`` is null when TBC; ``forecast`` is null unless re-forecast, and
    "TBC" when re-forecast to no date. With ``calendar`` (the programme's
    calendars), ``working_days_to_start`` and ``working_days_to_end`` follow
    the day counts.
    """
    m, as_of = a.milestone, a.as_of
    window = m.window
    row = {
        "id": m.id,
        "title": m.title,
        "workstream": m.workstream,
        "status": a.status.value,
        "rag": a.rag.value,
        "target": m.target.text if m.target else None,
        "forecast": (m.forecast.text if m.forecast else "TBC") if m.reforecast else None,
        "window_start": window.start.isoformat() if window else None,
        "window_end": window.end.isoformat() if window else None,
        "completed_on": _iso(m.completed_on),
        "cancelled_on": _iso(m.cancelled_on),
        "slip_days": a.slip_days,
        "at_risk": a.at_risk,
        "blocked_by": list(a.blocked_by),
        "depends_on": list(m.depends_on),
        # Assessment.days_to_start/days_to_end, without looking the window up twice more.
        "days_to_start": (window.start - as_of).days if window else None,
        "days_to_end": (window.end - as_of).days if window else None,
        "lead_days": m.lead_days,
        "owner": m.owner,
        "as_of": a.as_of.isoformat(),
    }
    if calendar is not None:
        row["working_days_to_start"] = calendar.between(as_of, window.start) if window else None
        row["working_days_to_end"] = calendar.between(as_of, window.end) if window else None
    return row


def to_json(data: Any) -> str:
    """Indented JSON, for one object (``show``)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_iso)


def to_json_array(rows: Iterable[dict[str, Any]]) -> str:
    """A JSON array with one compact object per line.

    Valid JSON that still greps and diffs by line, and fast: indentation
    would force the pure-Python encoder, which costs at 100,000 rows.
    """
    return "\n".join(json_array_lines(rows))


def json_array_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``to_json_array``'s lines, without line ends, each as soon as its row comes."""
    encode = json.JSONEncoder(ensure_ascii=False, default=_iso).encode
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        yield "[]"
        return
    yield "["
    previous = encode(first)
    for row in rows:
        yield previous + ","
        previous = encode(row)
    yield previous
    yield "]"


def to_json_document(head: dict[str, Any], key: str, rows: Iterable[dict[str, Any]]) -> str:
    """One JSON object: ``head``'s keys indented as ``to_json`` writes them,
    then ``key``, a list of ``rows`` with one compact object per line.

    The whole document indented would go through the pure-Python encoder:
    at 100,000 milestones that took 670 MB and 5 s for ``export --format json``.
    """
    encode = json.JSONEncoder(ensure_ascii=False, default=_iso).encode
    fields = [f"  {encode(name)}: {encode(value)}," for name, value in head.items()]
    items = ",\n".join(f"    {encode(row)}" for row in rows)
    body = f"[\n{items}\n  ]" if items else "[]"
    return "\n".join(["{", *fields, f"  {encode(key)}: {body}", "}"])


def to_csv(records: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in records:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def when(a: Assessment, calendar: WorkingDays | None = None) -> str:
    """Days to go or overdue, in words: '12 days to start', '3 days overdue';
    with ``calendar``, the working days too: '37 days left (24 working)'."""
    text = _when(a)
    window = a.milestone.window
    if (
        calendar is None
        or window is None
        or a.status not in (Status.DUE, Status.APPROACHING, Status.PLANNED)
    ):
        return text
    end = window.end if a.status is Status.DUE else window.start
    return f"{text} ({calendar.between(a.as_of, end):,} working)"


def _when(a: Assessment) -> str:
    m = a.milestone
    if a.status is Status.COMPLETED:
        return f"done {m.completed_on}"
    if a.status is Status.CANCELLED:
        return f"cancelled {m.cancelled_on}"
    to_end, to_start = a.days_to_end, a.days_to_start
    if a.status is Status.UNSCHEDULED or to_end is None or to_start is None:
        return "no date"
    if a.status is Status.OVERDUE:
        return f"{_days(-to_end)} overdue"
    if a.status is Status.DUE:
        return f"{_days(to_end)} left" if to_end else "last day"
    return f"starts in {_days(to_start)}"


def counts_line(assessments: list[Assessment], as_of: date) -> str:
    """'9 milestones as of 2026-11-24: 1 overdue, 2 due, …' in urgency order."""
    counts = Counter(a.status for a in assessments)
    parts = [f"{counts[s]} {s.value}" for s in URGENCY if counts[s]]
    risk = sum(a.at_risk for a in assessments)
    if risk:
        parts.append(f"{risk} at risk")
    noun = "milestone" if len(assessments) == 1 else "milestones"
    return f"{len(assessments)} {noun} as of {as_of}" + (": " + ", ".join(parts) if parts else "")


def event_record(event: dict[str, Any], timezone: str) -> dict[str, Any]:
    return {
        "at": local_time(event["at"], timezone),
        "milestone": event["milestone_id"],
        "kind": event["kind"],
        "actor": event["actor"],
        "summary": describe(event["kind"], event["details"] or {}),
        "details": event["details"] or {},
    }


def local_time(moment: datetime, timezone: str) -> str:
    """An instant in the programme's time zone, to the second, with offset."""
    return moment.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _iso(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value
