"""Handing messages (``letters``) to an SMTP server or the outbox.

The only module that speaks SMTP. ``deliver`` sends a batch over one
transport, retrying what may succeed later and reporting every outcome
through ``on_result`` as soon as it is known, so the caller can mark its
ledger before the next message goes out.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from ukjp_monitor.errors import OperationFailed
from ukjp_monitor.letters import Encoded, Message, message_id_of
from ukjp_monitor.settings import SECURITY_MODES, Settings

log = logging.getLogger("ukjp_monitor.mailer")

NO_STARTTLS = (
    "the server does not offer STARTTLS; refusing to send the password in clear; "
    "set UKJP_SMTP_SECURITY=none to allow"
)


@dataclass(frozen=True)
class Outgoing:
    key: object
    recipient: str
    message: Message


@dataclass(frozen=True)
class Result:
    key: object
    recipient: str
    sent: bool
    permanent: bool
    error: str | None
    attempts: int


class DeliveryError(OperationFailed):
    """A message did not go; ``permanent`` says whether trying again can help.

    ``connection`` marks a failure to reach or log in to the server: it is
    never permanent (fixing the settings or the server must let the message
    go on the next run) and every later message in the batch would meet it.
    """

    def __init__(
        self, reply: str, *, permanent: bool, connection: bool = False, refused: bool = False
    ):
        self.reply = reply
        self.permanent = permanent and not connection
        self.connection = connection
        self.refused = refused  # the server said no: asking again at once cannot help
        super().__init__(reply)


class Transport(Protocol):
    def send(self, message: Message, recipient: str) -> None: ...

    def close(self) -> None: ...


def open_transport(settings: Settings) -> Transport:
    """The SMTP server when ``smtp_host`` is set, else the outbox folder."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    from ukjp_monitor.outbox import OutboxTransport

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
            result = Result(item.key, item.recipient, False, False, unreachable, 0)
        else:
            result, unreachable = _deliver_one(transport, item, attempts, backoff, sleep)
        if on_result is not None:
            on_result(result)  # first: the caller's ledger should lag the server by nothing
        message_id = message_id_of(item.message)
        if result.sent:
            log.info("sent %s to %s", message_id, item.recipient)
        else:
            kind = "permanent" if result.permanent else "temporary"
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
                result = Result(item.key, item.recipient, False, exc.permanent, exc.reply, attempt)
                return result, (exc.reply if exc.connection else None)
            log.debug("retrying %s for %s: %s", message_id_of(item.message), item.recipient, exc)
            sleep(backoff * 2 ** (attempt - 1))
        else:
            return Result(item.key, item.recipient, True, False, None, attempt), None
    raise AssertionError("unreachable")


class SmtpTransport:
    """One SMTP connection, opened on the first send and reused for the rest.

    A refusal that every message would meet (no STARTTLS, a rejected login) is
    remembered, so a batch costs one failed login, not one per message.
    """

    def __init__(self, settings: Settings):
        if settings.smtp_security not in SECURITY_MODES:
            raise ValueError(f"unknown SMTP security {settings.smtp_security!r}")
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._refusal: str | None = None

    def __repr__(self) -> str:
        s = self._settings
        return f"SmtpTransport({s.smtp_host}:{s.smtp_port}, security={s.smtp_security})"

    def send(self, message: Message, recipient: str) -> None:
        """Hand one message to the server for ``recipient`` only; DeliveryError if not taken."""
        smtp = self._connection()
        try:
            if isinstance(message, Encoded):
                smtp.sendmail(message.envelope_sender, [recipient], message.data)
            else:
                smtp.send_message(message, to_addrs=[recipient])
        except (smtplib.SMTPException, OSError) as exc:
            # Only a clean reply leaves the session in a known state; else start afresh.
            replied = isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
            if not replied or smtp.sock is None:
                self._drop()
            raise self._error(exc, recipient) from exc

    def close(self) -> None:
        if self._smtp is not None and self._smtp.sock is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()  # a polite goodbye; the message is already accepted
        self._drop()

    def _connection(self) -> smtplib.SMTP:
        if self._refusal is not None:
            raise DeliveryError(self._refusal, permanent=False, connection=True, refused=True)
        if self._smtp is not None and self._smtp.sock is not None:
            return self._smtp
        self._drop()
        try:
            self._smtp = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            error = self._error(exc, None)
            if error.permanent:  # a refusal: no point asking again in this batch
                self._refusal = error.reply
            raise DeliveryError(
                error.reply, permanent=False, connection=True, refused=error.permanent
            ) from exc
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        address = (s.smtp_host, s.smtp_port)
        if s.smtp_security == "ssl":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(*address, timeout=s.smtp_timeout, context=context)
        else:
            smtp = smtplib.SMTP(*address, timeout=s.smtp_timeout)
        try:
            self._secure_and_log_in(smtp)
        except BaseException:
            smtp.close()
            raise
        log.debug("connected to %r", self)
        return smtp

    def _secure_and_log_in(self, smtp: smtplib.SMTP) -> None:
        s = self._settings
        smtp.ehlo()
        if s.smtp_security == "starttls":
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            elif s.smtp_username:
                # Failing beats leaking the password; "none" is how the user says it is fine.
                raise _Refused(NO_STARTTLS)
            else:
                log.warning("%r: the server does not offer STARTTLS; sending in clear", self)
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password or "")

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    def _error(self, exc: BaseException, recipient: str | None) -> DeliveryError:
        error = _classify(exc, recipient)
        password = self._settings.smtp_password
        if password and password in error.reply:
            # A server echoing the credentials must not put them in a log or ledger.
            return DeliveryError(error.reply.replace(password, "***"), permanent=error.permanent)
        return error


class _Refused(smtplib.SMTPException):
    """A connection we decline to use; permanent, without a server reply code."""


def _classify(exc: BaseException, recipient: str | None) -> DeliveryError:
    """Temporary for 4xx, disconnects and OS errors; permanent for 5xx and missing features."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = exc.recipients
        code, reply = refusals.get(recipient) or next(iter(refusals.values()))
        return _reply_error(code, reply)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_error(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(_one_line(f"server disconnected: {exc}"), permanent=False)
    if isinstance(exc, smtplib.SMTPException):
        # No reply code: the server lacks something we need (AUTH, SMTPUTF8) or we refused.
        return DeliveryError(_one_line(str(exc)), permanent=True)
    return DeliveryError(_one_line(f"{type(exc).__name__}: {exc}"), permanent=False)


def _reply_error(code: int, reply: bytes | str) -> DeliveryError:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return DeliveryError(_one_line(f"{code} {reply}"), permanent=500 <= code < 600)


def _one_line(text: str) -> str:
    return " ".join(text.split())
