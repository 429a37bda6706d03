"""A real SMTP server on loopback for tests: aiosmtpd, scripted to misbehave.

Free of pytest so any test (or a script) can use it::

    server = SmtpServer()
    server.start()
    settings = Settings(**server.smtp_settings())
    ...
    server.stop()

It records every accepted message; it can answer DATA with a temporary
failure N times, refuse a recipient at RCPT, require AUTH (allowed without
TLS, for ``UKJP_SMTP_SECURITY=none``), offer SMTPUTF8 (international
addresses) or not, hold DATA until released, and stop and start again on the
same port.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import weakref
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import Parser
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    sender: str
    recipients: list[str]
    raw: bytes
    message: EmailMessage
    peer: tuple
    options: list[str]  # MAIL FROM parameters, such as SMTPUTF8


class SmtpServer:
    """An SMTP server on 127.0.0.1 at a free port that stays the same across restarts."""

    def __init__(self, *, smtputf8: bool = False) -> None:
        self.host = HOST
        self._smtputf8 = smtputf8
        self.port = _free_port()
        self.received: list[Received] = []
        self.logins: list[str] = []
        self._peers: list[tuple] = []
        self._lock = threading.Lock()
        self._data_failures: list[str] = []
        self._rejected: dict[str, str] = {}
        self._credentials: tuple[str, str] | None = None
        self._release: threading.Event | None = None
        self._hold_after = 0
        self.data_waiting = threading.Event()
        self._controller: Controller | None = None
        self._protocols: weakref.WeakSet[SMTP] = weakref.WeakSet()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> SmtpServer:
        """Listen again on the same port; accepted mail and counters are kept."""
        if self._controller is not None:
            return self
        kwargs: dict = {"enable_SMTPUTF8": self._smtputf8}
        if self._credentials is not None:
            # MAIL enforces the login (see handle_MAIL): aiosmtpd's auth_required
            # warns on every connection when TLS is not required as well.
            kwargs |= dict(authenticator=self._authenticate, auth_require_tls=False)
        self._controller = _Controller(self, hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Drop every open connection and stop listening (the server is "down")."""
        controller, self._controller = self._controller, None
        if controller is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._hang_up(), controller.loop)
        future.result(timeout=5)
        controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    async def _hang_up(self) -> None:
        for protocol in list(self._protocols):
            if protocol.transport is not None:
                protocol.transport.close()
        await asyncio.sleep(0.05)  # let the transports actually close their sockets

    # -- scripting ---------------------------------------------------------

    def fail_data(self, times: int = 1, reply: str = "451 4.3.0 try again later") -> None:
        """Answer the next ``times`` DATA commands with ``reply`` instead of accepting."""
        with self._lock:
            self._data_failures.extend([reply] * times)

    def reject_recipient(self, address: str, reply: str = "550 5.1.1 no such user") -> None:
        """Refuse ``address`` at RCPT TO, every time."""
        self._rejected[address.lower()] = reply

    def require_auth(self, username: str, password: str) -> None:
        """Demand AUTH before MAIL (plain connections allowed); restarts if running."""
        self._credentials = (username, password)
        if self.running:
            self.stop()
            self.start()

    def offer_smtputf8(self, offer: bool = True) -> None:
        """Offer SMTPUTF8 in EHLO (or stop offering it); restarts if running."""
        self._smtputf8 = offer
        if self.running:
            self.stop()
            self.start()

    def hold_data(self, skip: int = 0) -> threading.Event:
        """Make each DATA after the first ``skip`` wait until the returned event is set.

        ``data_waiting`` is set once a message's DATA is waiting, so a test
        knows the client is stuck between sending and hearing "250".
        """
        self._release = threading.Event()
        self._hold_after = len(self.received) + skip
        self.data_waiting.clear()
        return self._release

    def smtp_settings(self) -> dict:
        """Keyword arguments for ``Settings`` (or ``Settings.but``) to use this server."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": "none",
            "smtp_timeout": 5.0,
        }

    # -- observation ---------------------------------------------------------

    @property
    def connections(self) -> int:
        """How many client connections said EHLO/HELO (the readiness probe does not)."""
        with self._lock:
            return len(set(self._peers))

    def recipients(self) -> list[str]:
        """Every envelope recipient of every accepted message, in order."""
        return [r for received in self.received for r in received.recipients]

    # -- aiosmtpd hooks (run on the server's thread) ---------------------------

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self._peers.append(session.peer)
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        with self._lock:
            self._peers.append(session.peer)
        return f"250 {server.hostname}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._rejected.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            failure = self._data_failures.pop(0) if self._data_failures else None
        if failure is not None:
            return failure
        release = self._release
        if release is not None and len(self.received) >= self._hold_after:
            self.data_waiting.set()
            # Polling, not a blocking wait: stop() can still cancel this task.
            while not release.is_set():
                await asyncio.sleep(0.01)
        raw = bytes(envelope.original_content)
        # Headers are ASCII, or UTF-8 in an SMTPUTF8 message (RFC 6532).
        message = Parser(policy=default).parsestr(raw.decode("utf-8", "surrogateescape"))
        received = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            raw,
            message,
            session.peer,
            list(envelope.mail_options),
        )
        with self._lock:
            self.received.append(received)
        return "250 2.0.0 message accepted"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        given = None
        if isinstance(auth_data, LoginPassword):
            given = (auth_data.login.decode(), auth_data.password.decode())
        if given is None or given != self._credentials:
            return AuthResult(success=False, handled=False)
        self.logins.append(given[0])
        return AuthResult(success=True)


class _Controller(Controller):
    """Remembers each connection's protocol, so stop() can hang up on clients."""

    def __init__(self, owner: SmtpServer, **kwargs):
        self._owner = owner
        super().__init__(owner, **kwargs)

    def factory(self):
        protocol = super().factory()
        self._owner._protocols.add(protocol)
        return protocol


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
