"""What a reader of the status page asked to see: the filters of ``status``
(workstream, status, owner, as-of date) and a page number.

Plain data, shared by the HTTP layer that parses it, the use case that
applies it and the pages that link to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ukjp_monitor.plan.status import Status


@dataclass(frozen=True)
class Filters:
    workstream: str | None = None
    status: Status | str | None = None  # a Status; pages may name one by its value
    owner: str | None = None
    as_of: date | None = None

    @property
    def narrowed(self) -> bool:
        """Whether anything but the date narrows the list."""
        return any((self.workstream, self.status, self.owner))

    def but(self, **changes) -> Filters:
        return replace(self, **changes)

    def query(self) -> list[tuple[str, str]]:
        """The filters as query parameters, in a fixed order, unset ones left out."""
        pairs = [
            ("workstream", self.workstream),
            ("status", str(self.status) if self.status else None),
            ("owner", self.owner),
            ("as_of", self.as_of.isoformat() if self.as_of else None),
        ]
        return [(k, v) for k, v in pairs if v]
