"""Who gets which lines: one check's transitions, indexed for its recipients.

An alert is about one check; each recipient's lines are those of the
check's transitions that they follow (by workstream or by owner), picked
from an index instead of testing every line for each of a thousand
recipients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ukjp_monitor.plan.records import Recipient, TransitionLine


@dataclass
class CheckLines:
    """The alertable transitions of check ``check_id``, in programme order."""

    check_id: int | None
    lines: list[TransitionLine]
    _by_workstream: dict[str, list[int]] = field(init=False, repr=False)
    _by_owner: dict[str | None, list[int]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_workstream, self._by_owner = defaultdict(list), defaultdict(list)
        for position, line in enumerate(self.lines):
            self._by_workstream[line.workstream].append(position)
            self._by_owner[line.owner].append(position)

    def lines_for(self, recipient: Recipient) -> list[TransitionLine]:
        """The lines ``recipient`` follows, in programme order."""
        if recipient.workstreams == "all":
            return self.lines
        positions: set[int] = set()
        for workstream in recipient.workstreams:
            positions.update(self._by_workstream.get(workstream, ()))
        for owner in recipient.owners:
            positions.update(self._by_owner.get(owner, ()))
        return [self.lines[p] for p in sorted(positions)]


def alerted(recipients: Iterable[Recipient], lines: Iterable[TransitionLine]) -> list[str]:
    """The addresses of the recipients who follow some alertable line."""
    alertable = [line for line in lines if line.alertable]
    workstreams = {line.workstream for line in alertable}
    owners = {line.owner for line in alertable}
    return [r.email for r in recipients if r.follows_any(workstreams, owners)]
