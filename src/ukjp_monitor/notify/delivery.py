"""Handing messages (``letters``) to a transport: the SMTP server or the outbox.

``deliver`` sends a batch over one transport, retrying what may succeed later
and reporting every outcome through ``on_result`` as soon as it is known, so
the caller can mark its ledger before the next message goes out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from ukjp_monitor.notify.outbox import OutboxTransport
from ukjp_monitor.notify.smtp import SmtpTransport
from ukjp_monitor.notify.transport import DeliveryError, Outgoing, Transport
from ukjp_monitor.plan.records import Outcome, Result
from ukjp_monitor.settings import Settings

log = logging.getLogger("ukjp_monitor.notify.delivery")


def open_transport(settings: Settings) -> Transport:
    """The SMTP server when ``smtp_host`` is set, else the outbox folder."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return OutboxTransport(settings.outbox_dir)


def deliver(
    transport: Transport,
    outgoing: Iterable[Outgoing],
    *,
    attempts: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Send each message, retrying temporary failures; one Result per message.

    Never raises for a delivery failure; what ``on_result`` raises propagates.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    results: list[Result] = []
    unreachable: str | None = None
    for item in outgoing:
        if unreachable is not None:
            # The server could not be reached even after backing off: the rest
            # wait for the next run instead of each backing off in turn.
            result = Result(item.key, item.recipient, Outcome.PENDING, unreachable)
        else:
            result, unreachable = _deliver_one(transport, item, attempts, backoff, sleep)
        if on_result is not None:
            on_result(result)  # first: the caller's ledger should lag the server by nothing
        message_id = item.message.message_id
        if result.outcome is Outcome.SENT:
            log.info("sent %s to %s", message_id, item.recipient)
        else:
            kind = "permanent" if result.outcome is Outcome.REFUSED else "temporary"
            log.warning(
                "%s failure for %s to %s: %s", kind, message_id, item.recipient, result.error
            )
        results.append(result)
    return results


def _deliver_one(transport, item: Outgoing, attempts, backoff, sleep):
    """(Result, the reason the server is unreachable or None)."""
    for attempt in range(1, attempts + 1):
        try:
            transport.send(item.message, item.recipient)
        except DeliveryError as exc:
            if exc.permanent or exc.refused or attempt == attempts:
                outcome = Outcome.REFUSED if exc.permanent else Outcome.PENDING
                result = Result(item.key, item.recipient, outcome, exc.reply, attempt)
                return result, (exc.reply if exc.connection else None)
            log.debug("retrying %s for %s: %s", item.message.message_id, item.recipient, exc)
            sleep(backoff * 2 ** (attempt - 1))
        else:
            return Result(item.key, item.recipient, Outcome.SENT, None, attempt), None
    raise AssertionError("unreachable")
