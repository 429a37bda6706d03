"""Messages: headers and parts that the caller has rendered, encoded for the wire.

Nothing here renders or sends. A ``Letter`` encodes one rendering once and
addresses it to as many recipients as share it. No header value may hold a
line break, so no text from the configuration or the database can add a header.

An international (non-ASCII) address cannot be written in ASCII: RFC 2047
forbids encoded words inside an address, so it is written as it is, in
UTF-8 (RFC 6532), and the message is marked ``utf8``: only a server that
offers SMTPUTF8 may take it. Everything else stays 7-bit.
"""

from __future__ import annotations

import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.policy import SMTP, SMTPUTF8, EmailPolicy
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

#: What makes a display name need quotes, and what needs escaping inside them
#: (as ``email.utils.formataddr`` has it).
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')
_ESCAPED = re.compile(r'[\\"]')


def _check_headers(headers: dict[str, str], date: datetime | None = None) -> None:
    for name, value in headers.items():
        # The same line boundaries (str.splitlines) that the email policy rejects.
        if value.splitlines() not in ([], [value]):
            raise ValueError(f"the {name} header may not contain a line break: {value!r}")
    if date is not None and date.utcoffset() is None:
        raise ValueError("the message date must carry a time zone")


@dataclass(frozen=True)
class Encoded:
    """A message encoded for the wire, with what a transport needs to know of it."""

    data: bytes
    envelope_sender: str
    message_id: str
    date: datetime
    utf8: bool  # an address in it is international: it needs SMTPUTF8


class Letter:
    """One rendered message, encoded once, addressed to many recipients.

    Encoding the parts is most of what sending a large digest costs, so it
    is done once per content, by the C quoted-printable encoder rather than
    the email package's pure-Python one (2 ms rather than 12 ms for a 350 KB
    digest); each recipient then gets only their own To, Date and Message-ID
    headers (0.1 ms). The result is the message the email package would build
    (``EmailMessage`` with the SMTP policy, ``set_content`` in UTF-8 and
    quoted-printable), with the headers in another order and the parts'
    lines folded at 76 rather than 78 columns.
    """

    def __init__(self, *, sender: str, subject: str, text: str, html: str | None, list_id: str):
        _check_headers({"From": sender, "Subject": subject, "List-Id": list_id})
        self._envelope_sender = parseaddr(sender)[1]
        self._utf8 = not self._envelope_sender.isascii()
        self._from = _fold("From", sender, SMTPUTF8 if self._utf8 else SMTP)
        # Auto-Submitted (RFC 3834) keeps vacation replies away; List-Id
        # (RFC 2919) lets a reader's filters file the monitor's mail.
        self._shared = [
            _fold("Subject", subject),
            b"Auto-Submitted: auto-generated",
            _fold("List-Id", list_id),
            b"MIME-Version: 1.0",
        ]
        if html is None:
            head, self._body = _text_part("plain", text).split(b"\r\n\r\n", 1)
            self._shared.extend(head.split(b"\r\n"))
            return
        # "=" cannot start a quoted-printable line (it is written "=3D"), so
        # a boundary made of it can never occur inside either part.
        boundary = f"=={uuid.uuid4().hex}==".encode()
        self._shared.append(b'Content-Type: multipart/alternative;\r\n boundary="%s"' % boundary)
        self._body = b"".join(
            b"--%s\r\n%s\r\n" % (boundary, part)
            for part in (_text_part("plain", text), _text_part("html", html))
        ) + (b"--%s--\r\n" % boundary)

    def to(
        self, address: str, *, name: str | None = None, message_id: str, date: datetime
    ) -> Encoded:
        """The letter for ``address``, To ``name <address>`` when a name is given.

        ValueError if a header value holds a line break (it could add
        headers) or if ``date`` is naive (a Date header needs an offset).
        """
        _check_headers({"To": f"{name or ''} <{address}>", "Message-ID": message_id}, date)
        mine = [
            _to(address, name),
            _fold("Message-ID", message_id),
            _fold("Date", format_datetime(date)),
        ]
        data = b"\r\n".join([self._from, *mine, *self._shared]) + b"\r\n\r\n" + self._body
        utf8 = self._utf8 or not address.isascii()
        return Encoded(data, self._envelope_sender, message_id, date, utf8)


def list_id(programme: str, sender: str) -> str:
    """The List-Id for a programme's mail: its name, and a label made of the
    name's words under the ``mail.from`` domain (RFC 2919), such as
    ``UK–Japan S&T <uk-japan-s-t.example.org>``."""
    domain = parseaddr(sender)[1].rpartition("@")[2].lower() or "localhost"
    label = "-".join(re.findall(r"[a-z0-9]+", programme.lower()))[:60].strip("-") or "monitor"
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = "localhost"
    return f"{one_line(programme)} <{label}.{domain}>"


def one_line(text: str) -> str:
    return " ".join(text.split())


def _to(address: str, name: str | None) -> bytes:
    if address.isascii():
        return _fold("To", formataddr((name, address)) if name else address)
    if not name:
        return _fold("To", address, SMTPUTF8)
    # formataddr insists on an ASCII address; quote the name as it would.
    quoted = _ESCAPED.sub(r"\\\g<0>", name)
    if _SPECIALS.search(name):
        quoted = f'"{quoted}"'
    return _fold("To", f"{quoted} <{address}>", SMTPUTF8)


def _fold(name: str, value: str, policy: EmailPolicy[Any] = SMTP) -> bytes:
    """One header field, folded as ``policy`` writes it: RFC 2047-encoded for
    SMTP, UTF-8 as it is for SMTPUTF8."""
    # A parsed header, not the bare string: fold_binary passes a string
    # through as already encoded, so "Zoë" would not be RFC 2047-encoded.
    header = policy.header_factory(name, value)
    return header.fold(policy=policy).rstrip("\r\n").encode("utf-8" if policy.utf8 else "ascii")


#: The most a message may weigh on the wire (Gmail clips at about 102 KB).
MAX_BYTES = 100_000
#: What headers add to the parts, generously: From, To, Subject, List-Id, …
HEADER_BYTES = 2_000


def wire_size(text: str, html: str | None) -> int:
    """About how many bytes a letter of these parts is on the wire (never fewer)."""
    parts = len(_text_part("plain", text)) + (len(_text_part("html", html)) if html else 0)
    return parts + HEADER_BYTES


def _text_part(subtype: str, content: str) -> bytes:
    """A text/* part in UTF-8 and quoted-printable, CRLF line ends, ending in a line break.

    Lines break where ``str.encode(...).splitlines()`` says, as the email
    package's ``set_content`` breaks them, so a lone CR cannot reach the wire.
    """
    lines = content.encode("utf-8").splitlines()
    encoded = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True)
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return head.encode() + encoded.replace(b"\n", b"\r\n")
