"""A small message for the mail tests, built the way production builds it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import Parser
from email.policy import default

from ukjp_monitor.notify.letters import Encoded, Letter
from ukjp_monitor.plan.records import new_message_id

SENDER = "UK–Japan Monitor <monitor@example.org>"
LIST_ID = "UK–Japan Monitor <uk-japan-monitor.example.org>"
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def message_to(
    recipient: str,
    *,
    html: str | None = "<p>Due <b>today</b></p>",
    message_id: str | None = None,
    date: datetime = WHEN,
) -> Encoded:
    letter = Letter(
        sender=SENDER,
        subject="Milestones — 1 overdue, 2 due",
        text="Due today: 2 — café",
        html=html,
        list_id=LIST_ID,
    )
    return letter.to(recipient, message_id=message_id or new_message_id("example.org"), date=date)


def parsed(data: bytes) -> EmailMessage:
    """A message on the wire as a mail client reads it; headers may be UTF-8 (RFC 6532)."""
    return Parser(policy=default).parsestr(data.decode("utf-8"))
