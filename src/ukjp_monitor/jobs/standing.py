"""What the query use cases return: the programme assessed as of a day, and
one milestone with its details and history; and the one JSON shape of each,
which ``status``/``show --format json`` and the status page's API both give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ukjp_monitor.plan.calendars import WorkingDays
from ukjp_monitor.plan.report import event_record, record
from ukjp_monitor.plan.status import Assessment
from ukjp_monitor.store import queries


def working_days(programme: queries.ProgrammeInfo) -> WorkingDays | None:
    return WorkingDays(programme.calendars) if programme.calendars else None


@dataclass(frozen=True)
class Standing:
    """The programme's milestones assessed as of one date."""

    programme: queries.ProgrammeInfo
    as_of: date
    assessments: list[Assessment]

    @property
    def calendar(self) -> WorkingDays | None:
        """The programme's working days (``programme.calendars``), if it names any."""
        return working_days(self.programme)

    def records(self) -> list[dict[str, Any]]:
        """The rows of ``status --format json`` (and ``GET /api/milestones``)."""
        calendar = self.calendar
        return [record(a, calendar) for a in self.assessments]


@dataclass(frozen=True)
class MilestoneReport:
    programme: queries.ProgrammeInfo
    assessment: Assessment
    details: queries.Details
    events: list[dict[str, Any]]

    def history(self) -> list[dict[str, Any]]:
        """Its events as ``history --format json`` gives them, oldest first."""
        return [event_record(e, self.programme.timezone) for e in self.events]

    def record(self) -> dict[str, Any]:
        """The object of ``show --format json`` (and ``GET /api/milestones/{id}``):
        the status row, its details, and its ``history``."""
        d = self.details
        return {
            **record(self.assessment, working_days(self.programme)),
            "workstream_name": d.workstream_name,
            "amount": d.amount,
            "source": d.source,
            "notes": d.notes,
            "retired": d.retired,
            "history": self.history(),
        }
