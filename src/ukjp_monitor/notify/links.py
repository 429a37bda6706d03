"""Where a message's reader can read more on the status page (DESIGN §13).

Pure. With ``web.base_url`` set in monitor.yaml, each milestone links to its
page and each counted remainder ("…and 3,827 more overdue") to the overview,
filtered to what the reader follows; without it, messages carry no links.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ukjp_monitor.plan.records import Audience
from ukjp_monitor.plan.status import Status

#: Digest sections that are one status: their remainder links to the overview
#: filtered by it. The others (at risk, slipped, changed) are sections of the
#: overview, reached by their anchor.
_STATUS_SECTIONS = {
    s.value
    for s in (Status.OVERDUE, Status.DUE, Status.APPROACHING, Status.UNSCHEDULED, Status.COMPLETED)
}


@dataclass(frozen=True)
class Links:
    """Addresses on the status page at ``base_url`` (None: no links at all)."""

    base_url: str | None = None

    def milestone(self, milestone_id: str) -> str | None:
        """The milestone's own page."""
        if self.base_url is None:
            return None
        return f"{self.base_url}/milestones/{quote(milestone_id, safe='')}"

    def overview(self, audience: Audience, section: str | None = None) -> str | None:
        """The overview narrowed to ``audience``, at ``section`` (a digest
        section's name or its noun: ``overdue``, ``at risk``, …) when given.

        The overview filters by one workstream or one owner, so a reader
        who follows exactly one of either is shown theirs; anyone else sees
        the whole overview rather than a part of what they follow.
        """
        if self.base_url is None:
            return None
        section = section.replace(" ", "_") if section else None
        query: list[tuple[str, str]] = []
        if section in _STATUS_SECTIONS:
            query.append(("status", section))
        followed = () if audience.everything else (*audience.workstreams, *audience.owners)
        if len(followed) == 1:
            query.append(("workstream" if audience.workstreams else "owner", followed[0]))
        address = f"{self.base_url}/"
        if query:
            address += "?" + urlencode(query, quote_via=quote)
        if section is not None and section not in _STATUS_SECTIONS:
            address += "#s-" + section  # the overview's heading of that section
        return address
