"""Who gets which lines: a check's transitions and a day's assessments,
indexed for their recipients.

An alert is about one check; each recipient's lines are those of the
check's transitions that they follow (by workstream or by owner), and a
digest lists the milestones they follow: both are picked from an index
instead of testing every line for each of a thousand recipients, so that a
funder's mailing costs what its messages hold, not milestones × recipients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ukjp_monitor.plan.records import Recipient, TransitionLine
from ukjp_monitor.plan.status import Assessment


def _picked(
    recipient: Recipient,
    by_workstream: dict[str, list[int]],
    by_owner: dict[str | None, list[int]],
) -> list[int]:
    """The positions of what ``recipient`` follows, in programme order."""
    positions: set[int] = set()
    for workstream in recipient.workstreams:
        positions.update(by_workstream.get(workstream, ()))
    for owner in recipient.owners:
        positions.update(by_owner.get(owner, ()))
    return sorted(positions)


@dataclass(frozen=True)
class Portfolio:
    """Every milestone's assessment as of one day, in programme order, with
    an index by id, workstream and owner. Built once and only read after."""

    assessments: tuple[Assessment, ...]
    _by_id: dict[str, Assessment] = field(init=False, repr=False, compare=False)
    _by_workstream: dict[str, list[int]] = field(init=False, repr=False, compare=False)
    _by_owner: dict[str | None, list[int]] = field(init=False, repr=False, compare=False)

    @classmethod
    def of(cls, assessments: Portfolio | Iterable[Assessment]) -> Portfolio:
        return assessments if isinstance(assessments, Portfolio) else cls(tuple(assessments))

    def __post_init__(self) -> None:
        by_workstream: dict[str, list[int]] = defaultdict(list)
        by_owner: dict[str | None, list[int]] = defaultdict(list)
        for position, a in enumerate(self.assessments):
            by_workstream[a.milestone.workstream].append(position)
            by_owner[a.milestone.owner].append(position)
        object.__setattr__(self, "_by_id", {a.milestone.id: a for a in self.assessments})
        object.__setattr__(self, "_by_workstream", dict(by_workstream))
        object.__setattr__(self, "_by_owner", dict(by_owner))

    def __iter__(self):
        return iter(self.assessments)

    def __len__(self) -> int:
        return len(self.assessments)

    def get(self, milestone_id: str) -> Assessment | None:
        return self._by_id.get(milestone_id)

    def followed_by(self, recipient: Recipient) -> list[Assessment]:
        """The assessments of the milestones ``recipient`` follows, in programme order."""
        if recipient.workstreams == "all":
            return list(self.assessments)
        picked = _picked(recipient, self._by_workstream, self._by_owner)
        return [self.assessments[p] for p in picked]


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
        return [self.lines[p] for p in _picked(recipient, self._by_workstream, self._by_owner)]


def alerted(recipients: Iterable[Recipient], lines: Iterable[TransitionLine]) -> list[str]:
    """The addresses of the recipients who follow some alertable line."""
    alertable = [line for line in lines if line.alertable]
    workstreams = {line.workstream for line in alertable}
    owners = {line.owner for line in alertable}
    return [r.email for r in recipients if r.follows_any(workstreams, owners)]
