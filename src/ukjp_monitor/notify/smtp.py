"""The SMTP transport: the only module that speaks SMTP."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl

from ukjp_monitor.notify.letters import Encoded
from ukjp_monitor.notify.transport import DeliveryError, one_line
from ukjp_monitor.settings import SECURITY_MODES, Settings

log = logging.getLogger("ukjp_monitor.notify.smtp")

NO_STARTTLS = (
    "the server does not offer STARTTLS; refusing to send the password in clear; "
    "set UKJP_SMTP_SECURITY=none to allow"
)

NO_SMTPUTF8 = "the server does not offer SMTPUTF8, which an international (non-ASCII) address needs"


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

    def send(self, message: Encoded, recipient: str) -> None:
        """Hand one message to the server for ``recipient`` only; DeliveryError if not taken."""
        smtp = self._connection()
        options = _international(smtp) if message.utf8 or not recipient.isascii() else []
        try:
            smtp.sendmail(message.envelope_sender, [recipient], message.data, options)
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
        host = s.smtp_host or "localhost"  # only made when a host is set
        smtp: smtplib.SMTP
        if s.smtp_security == "ssl":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(host, s.smtp_port, timeout=s.smtp_timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, s.smtp_port, timeout=s.smtp_timeout)
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


def _international(smtp: smtplib.SMTP) -> list[str]:
    """MAIL FROM's parameters for a message with an international address (RFC 6531)."""
    if not smtp.has_extn("smtputf8"):
        # Nothing was said to the server, so the connection serves the next message.
        raise DeliveryError(NO_SMTPUTF8, permanent=True)
    return ["SMTPUTF8", "BODY=8BITMIME"]  # as smtplib's send_message asks for one


class _Refused(smtplib.SMTPException):
    """A connection we decline to use; permanent, without a server reply code."""


def _classify(exc: BaseException, recipient: str | None) -> DeliveryError:
    """Temporary for 4xx, disconnects and OS errors; permanent for 5xx and missing features."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = exc.recipients
        code, reply = refusals.get(recipient or "") or next(iter(refusals.values()))
        return _reply_error(code, reply)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_error(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(one_line(f"server disconnected: {exc}"), permanent=False)
    if isinstance(exc, smtplib.SMTPException):
        # No reply code: the server lacks something we need (AUTH, SMTPUTF8) or we refused.
        return DeliveryError(one_line(str(exc)), permanent=True)
    return DeliveryError(one_line(f"{type(exc).__name__}: {exc}"), permanent=False)


def _reply_error(code: int, reply: bytes | str) -> DeliveryError:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return DeliveryError(one_line(f"{code} {reply}"), permanent=500 <= code < 600)
