"""The records that storage produces and messages consume.

Plain, frozen data: who a message is for, a recorded status change, a change
since the last digest, and what became of one message. Nothing here reads a
clock or a database.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, time
from email.utils import parseaddr

from ukjp_monitor.plan.sendtimes import DigestSchedule, SendTime
from ukjp_monitor.plan.status import ALERT_STATUSES


@dataclass(frozen=True)
class Recipient:
    """Who a message is for, and what they follow: ``workstreams`` (ids, or
    ``"all"``) and ``owners`` (owner names exactly as milestones.yaml gives
    them); a milestone that matches either is theirs. The configuration
    validates monitor.yaml's recipients straight into it (where a recipient
    who names only ``owners`` follows no workstream)."""

    email: str
    name: str | None = None
    workstreams: str | tuple[str, ...] = "all"
    owners: tuple[str, ...] = ()
    language: str = "en"  # what their messages are written in: en or ja
    #: When their weekly digest goes (DESIGN §14): ``send_at`` in
    #: ``timezone`` (defaults: the digest schedule's time, the programme's
    #: zone), on their next working day in ``calendar`` if it names one.
    timezone: str | None = None
    send_at: time | None = None
    calendar: str | None = None

    def send_time(self, schedule: DigestSchedule, programme_zone: str) -> SendTime:
        """When their digests fall due under the programme's ``schedule``."""
        return SendTime(
            schedule, self.send_at or schedule.at, self.timezone or programme_zone, self.calendar
        )

    def follows(self, workstream: str, owner: str | None) -> bool:
        """Whether a milestone of ``workstream`` owned by ``owner`` is theirs."""
        followed = self.workstreams
        return followed == "all" or workstream in followed or owner in self.owners

    def follows_any(self, workstreams: Collection[str], owners: Collection[str | None]) -> bool:
        """Whether some milestone of these workstreams or owners is theirs."""
        followed = self.workstreams
        if followed == "all":
            return bool(workstreams)
        return not set(followed).isdisjoint(workstreams) or not set(self.owners).isdisjoint(owners)

    @property
    def audience(self) -> Audience:
        """What they follow, as a key: recipients with the same one get the same lines."""
        return Audience(self.workstreams, self.owners, self.language)


#: How a chat channel is named where a recipient's address would stand
#: (the ledger, the history): ``channel:NAME``.
CHANNEL = "channel:"


@dataclass(frozen=True)
class Channel:
    """A chat channel (Slack, Microsoft Teams, a webhook) that gets the
    alerts and a weekly summary of what it follows, as a recipient does.

    ``url`` is the Apprise URL exactly as monitor.yaml writes it: its
    ``${VAR}`` references stay unresolved here and wherever a channel is
    kept; only the transport resolves them, when a message goes.
    """

    name: str
    url: str = field(repr=False)
    workstreams: str | tuple[str, ...] = "all"
    owners: tuple[str, ...] = ()
    language: str = "en"

    @property
    def address(self) -> str:
        """What stands for the channel in the ledger and the history."""
        return f"{CHANNEL}{self.name}"

    @property
    def reader(self) -> Recipient:
        """The channel as the one recipient type: what it follows, in its
        language, at its address; every routing rule applies unchanged."""
        return Recipient(self.address, self.name, self.workstreams, self.owners, self.language)


@dataclass(frozen=True)
class Audience:
    """What a recipient follows (workstream ids or ``"all"``, owner names)
    and the language they read: everyone with the same audience gets the
    same message."""

    workstreams: str | tuple[str, ...]
    owners: tuple[str, ...] = ()
    language: str = "en"

    @property
    def everything(self) -> bool:
        return self.workstreams == "all"


@dataclass(frozen=True)
class TransitionLine:
    """One recorded status change, as an alert or digest shows it."""

    transition_id: int
    milestone_id: str
    title: str
    workstream: str
    as_of: date
    old_status: str | None
    new_status: str
    old_at_risk: bool | None
    new_at_risk: bool
    window_text: str | None
    owner: str | None = None

    @property
    def alertable(self) -> bool:
        """Worth an alert: into an alert status (``ALERT_STATUSES``), or at risk."""
        return self.entered_alert_status or self.became_at_risk

    @property
    def entered_alert_status(self) -> bool:
        return self.new_status in ALERT_STATUSES and self.new_status != self.old_status

    @property
    def became_at_risk(self) -> bool:
        return self.new_at_risk and not self.old_at_risk


@dataclass(frozen=True)
class ChangeLine:
    """Something that changed since the last digest, with old and new values."""

    milestone_id: str
    title: str
    workstream: str
    kind: str  # status, forecast, rebaselined, completed, reopened, cancelled, reinstated
    old: str | None
    new: str | None
    on: date
    owner: str | None = None
    reason: str | None = None  # why, as given with a re-forecast or cancellation
    evidence: str | None = None  # what shows a completion (often a link)


class Outcome(enum.Enum):
    """What became of one message."""

    SENT = "sent"  # the server (or the outbox) took it
    PENDING = "pending"  # not yet: it goes out on a later run
    REFUSED = "refused"  # never: recorded with the reason, not tried again


@dataclass(frozen=True)
class Result:
    """One message's outcome; ``error`` says why it is not sent, ``attempts`` how
    often it was tried in this run (0 when it waited behind an unreachable server)."""

    key: object
    recipient: str
    outcome: Outcome
    error: str | None = None
    attempts: int = 0


def new_message_id(domain: str) -> str:
    """A fresh, globally unique Message-ID such as ``<3f2a…@example.org>``;
    ``domain`` is the sender's (monitor.yaml's ``mail.from``)."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def message_id_domain(sender: str) -> str:
    """The domain of a ``Name <address>`` sender's address, as a Message-ID
    carries it (ASCII: an international domain in its IDNA form)."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain
