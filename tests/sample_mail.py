"""A small message for the mail tests: make_message with every field filled."""

from __future__ import annotations

from datetime import UTC, datetime

from ukjp_monitor.notify.letters import make_message
from ukjp_monitor.plan.records import new_message_id

SENDER = "UK–Japan Monitor <monitor@example.org>"
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def message_to(recipient: str, *, html: str | None = "<p>Due <b>today</b></p>", **changes):
    fields = dict(
        sender=SENDER,
        recipient=recipient,
        subject="Milestones — 1 overdue, 2 due",
        text="Due today: 2 — café",
        html=html,
        message_id=new_message_id(),
        date=WHEN,
    )
    return make_message(**(fields | changes))
