"""What the query use cases return: the programme assessed as of a day, and
one milestone with its details and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ukjp_monitor.plan.status import Assessment
from ukjp_monitor.store import queries


@dataclass(frozen=True)
class Standing:
    """The programme's milestones assessed as of one date."""

    programme: queries.ProgrammeInfo
    as_of: date
    assessments: list[Assessment]


@dataclass(frozen=True)
class MilestoneReport:
    programme: queries.ProgrammeInfo
    assessment: Assessment
    details: queries.Details
    events: list[dict[str, Any]]
