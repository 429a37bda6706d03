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


@dataclass(frozen=True)
class CheckLines:
    """The alertable transitions of check ``check_id``, in programme order.

    Built once and only read after, so threads may share it.
    """

    check_id: int | None
    lines: tuple[TransitionLine, ...]
    _by_workstream: dict[str, list[int]] = field(init=False, repr=False, compare=False)
    _by_owner: dict[str | None, list[int]] = field(init=False, repr=False, compare=False)

    @classmethod
    def of(cls, check_id: int | None, lines: Iterable[TransitionLine]) -> CheckLines:
        """The alertable ones of ``lines``, as check ``check_id`` recorded them."""
        return cls(check_id, tuple(line for line in lines if line.alertable))

    def __post_init__(self) -> None:
        by_workstream: dict[str, list[int]] = defaultdict(list)
        by_owner: dict[str | None, list[int]] = defaultdict(list)
        for position, line in enumerate(self.lines):
            by_workstream[line.workstream].append(position)
            by_owner[line.owner].append(position)
        object.__setattr__(self, "_by_workstream", dict(by_workstream))
        object.__setattr__(self, "_by_owner", dict(by_owner))

    def lines_for(self, recipient: Recipient) -> list[TransitionLine]:
        """The lines ``recipient`` follows, in programme order."""
        if recipient.workstreams == "all":
            return list(self.lines)
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
