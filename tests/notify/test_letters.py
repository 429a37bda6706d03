"""Messages as built for the wire: a Letter, encoded once, shared by many recipients."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import pytest

from sample_mail import SENDER, WHEN, message_to, parsed
from ukjp_monitor.notify.letters import Letter, list_id
from ukjp_monitor.plan.records import message_id_domain, new_message_id


def test_a_message_is_text_then_html_as_alternatives():
    message = parsed(message_to("ada@example.org").data)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content_charset() == "utf-8"
    assert parts[0].get_content().strip() == "Due today: 2 — café"
    assert message["MIME-Version"] == "1.0"


def test_a_message_without_html_is_plain_text():
    message = parsed(message_to("ada@example.org", html=None).data)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Due today: 2 — café"


def test_every_message_says_it_is_automatic_and_which_list_it_is_from():
    message = parsed(message_to("ada@example.org").data)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Id"] == "UK–Japan Monitor <uk-japan-monitor.example.org>"


def test_a_list_id_is_the_programme_under_the_sender_domain():
    sender = "UK–Japan S&T Monitor <monitor@example.org>"
    assert list_id("UK–Japan Science and Technology Partnership", sender) == (
        "UK–Japan Science and Technology Partnership"
        " <uk-japan-science-and-technology-partnership.example.org>"
    )
    assert list_id("日本", "m@bücher.example") == "日本 <monitor.xn--bcher-kva.example>"


def test_a_message_carries_its_headers_exactly():
    message_id = new_message_id("example.org")
    date = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    message = parsed(message_to("ada@example.org", message_id=message_id, date=date).data)
    assert message["Message-ID"] == message_id
    assert message["Date"] == "Tue, 24 Nov 2026 12:00:00 +0900"
    assert message["From"] == SENDER
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Milestones — 1 overdue, 2 due"


@pytest.mark.parametrize("field", ["subject", "sender", "recipient", "name", "message_id"])
@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n", "\u2028", "\x85"])
def test_a_line_break_in_a_header_raises_instead_of_adding_a_header(field, newline):
    fields = dict(sender=SENDER, subject="Hello", recipient="ada@example.org", name="Ada")
    fields["message_id"] = "<1@x>"
    fields[field] = f"x@example.org{newline}Bcc: eve@example.org"
    with pytest.raises(ValueError, match="line break"):
        letter = Letter(
            sender=fields["sender"],
            subject=fields["subject"],
            text="Hi",
            html=None,
            list_id="x <x.y>",
        )
        letter.to(
            fields["recipient"], name=fields["name"], message_id=fields["message_id"], date=WHEN
        )


def test_a_naive_date_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        message_to("ada@example.org", date=datetime(2026, 11, 24, 12, 0))


def test_message_ids_are_unique_and_bracketed():
    ids = {new_message_id("example.org") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("<") and i.endswith("@example.org>") for i in ids)


# -- letters: one encoded body, many recipients ------------------------------------


def letter_kwargs() -> dict:
    return dict(
        sender="UK–Japan S&T Monitor <monitor@example.org>",
        subject="[UK–Japan S&T] Weekly digest 2026-W48 — 1 due",
        text="héllo\n" * 50,
        html="<p>é</p>" * 50,
        list_id="UK–Japan S&T <uk-japan-s-t.example.org>",
    )


def reference_message(recipient, when, *, sender, subject, text, html, list_id) -> EmailMessage:
    """The same message built by the email package, to compare a Letter with."""
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message["Message-ID"], message["Date"] = "<1@x>", format_datetime(when)
    message["Auto-Submitted"], message["List-Id"] = "auto-generated", list_id
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


AWKWARD_TEXT = (
    "trailing spaces   \n= signs = 3D\n.a dot starts this line\n"
    + "long " * 40
    + "\nwindows\r\nold mac\rtab\tend\t\n日本 🎌 ü\nno final newline"
)


@pytest.mark.parametrize(
    ("name", "address", "text", "html"),
    [
        ("Ada", "ada@example.org", "héllo\n" * 50, "<p>é</p>" * 50),
        ("Zoë Ünal", "zoe@example.org", AWKWARD_TEXT, AWKWARD_TEXT.replace("\n", "<br>\n")),
        ("Dr. Ünal, PhD", "zoe@example.org", "hi", None),
        (None, "ada@example.org", AWKWARD_TEXT, None),
    ],
    ids=["plain", "awkward", "quoted-name", "text-only"],
)
def test_a_letter_is_the_message_the_email_package_builds(name, address, text, html):
    when = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    kwargs = letter_kwargs() | {"text": text, "html": html}
    encoded = Letter(**kwargs).to(address, name=name, message_id="<1@x>", date=when)
    recipient = Address(display_name=name or "", addr_spec=address)
    reference = parsed(reference_message(recipient, when, **kwargs).as_bytes(policy=SMTP))
    got = parsed(encoded.data)
    headers = ("From", "To", "Subject", "Message-ID", "Date", "MIME-Version")
    for header in (*headers, "Auto-Submitted", "List-Id"):
        assert got[header] == reference[header], header
    # Content-Type too, but for the multipart boundary, which is random.
    assert got.get_content_type() == reference.get_content_type()
    assert [p.get_content() for p in got.walk() if not p.is_multipart()] == [
        p.get_content() for p in reference.walk() if not p.is_multipart()
    ]
    assert (encoded.envelope_sender, encoded.message_id) == ("monitor@example.org", "<1@x>")


def test_a_letter_on_the_wire_is_seven_bit_with_short_crlf_lines():
    letter = Letter(**letter_kwargs() | {"text": AWKWARD_TEXT, "html": AWKWARD_TEXT})
    encoded = letter.to("zoe@example.org", name="Zoë", message_id="<1@x>", date=WHEN)
    assert encoded.data.isascii() and not encoded.utf8
    data = encoded.data
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 78


@pytest.mark.parametrize(
    ("address", "name"),
    [("ada@example.org\r\nBcc: eve@example.org", None), ("ada@example.org", "Ada\nBcc: eve")],
)
def test_a_letter_refuses_a_recipient_that_would_add_a_header(address, name):
    with pytest.raises(ValueError, match="line break"):
        Letter(**letter_kwargs()).to(address, name=name, message_id="<1@x>", date=WHEN)


@pytest.mark.parametrize(
    ("name", "address", "html", "sha256", "before_headers"),
    [
        (
            None,
            "ada@example.org",
            True,
            "df53696a0be9451bd8495401699bcad1",
            "9b4f90b14ef29ec5be315c32b955b18b",
        ),
        (
            "Zoë Ünal",
            "zoe@example.org",
            True,
            "5267951a35f1db696002fb47b2068ec9",
            "f93c4e0de60ee46ffed0c0f8afe8c724",
        ),
        (
            "Programme Office",
            "pmo@example.org",
            False,
            "bf321e36c30f29daf82d7570847bfbdd",
            "6d619c2c14a78667bff8994bb4cb3e1d",
        ),
    ],
    ids=["bare", "named-non-ascii", "named-text-only"],
)
def test_a_letter_on_the_wire_is_byte_for_byte_what_it_always_was(
    name, address, html, sha256, before_headers
):
    """Pinned bytes; ``before_headers`` is the pin from before Auto-Submitted
    and List-Id were added, which still holds without those two headers."""
    when = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    letter = Letter(
        sender="UK–Japan S&T Monitor <monitor@example.org>",
        subject="[UK–Japan S&T] Weekly digest 2026-W48 — 1 due",
        text="héllo = 3D\n.dot\r\nold\rmac\t\n日本 🎌\n" + "long " * 40,
        html="<p>é</p>" * 30 if html else None,
        list_id="UK–Japan Science and Technology Partnership <uk-japan-science.example.org>",
    )
    data = letter.to(address, name=name, message_id="<1@example.org>", date=when).data
    data = re.sub(rb"==[0-9a-f]{32}==", b"==BOUNDARY==", data)  # the one random part
    assert hashlib.sha256(data).hexdigest()[:32] == sha256
    added = rb"Auto-Submitted: auto-generated\r\nList-Id: .*?\r\n(?! )"
    without = re.sub(added, b"", data, flags=re.S)
    assert hashlib.sha256(without).hexdigest()[:32] == before_headers


# -- international addresses -----------------------------------------------------

JOERG = "jörg@bücher.example"


@pytest.mark.parametrize(
    ("name", "address", "header"),
    [
        (None, JOERG, f"To: {JOERG}"),
        ("Jörg Müller", JOERG, f"To: Jörg Müller <{JOERG}>"),
        ('Müller, Jörg "JM"', JOERG, f'To: "Müller, Jörg \\"JM\\"" <{JOERG}>'),
        (None, "jorg@bücher.example", "To: jorg@bücher.example"),
    ],
    ids=["bare", "named", "quoted-name", "idn-domain"],
)
def test_an_international_address_is_written_in_utf8_and_marks_the_letter(name, address, header):
    encoded = Letter(**letter_kwargs()).to(address, name=name, message_id="<1@x>", date=WHEN)
    assert encoded.utf8
    lines = encoded.data.split(b"\r\n")
    assert header.encode() in lines
    got = parsed(encoded.data)
    assert (got["To"].addresses[0].display_name, got["To"].addresses[0].addr_spec) == (
        name or "",
        address,
    )
    # Only the address needs UTF-8: the subject and the parts stay 7-bit.
    assert all(line.isascii() for line in lines if not line.startswith(b"To:"))
    assert got["Subject"] == letter_kwargs()["subject"]


def test_an_international_sender_marks_every_letter_it_sends():
    letter = Letter(**letter_kwargs() | {"sender": "Mönitor <mönitor@example.org>"})
    encoded = letter.to("ada@example.org", message_id="<1@x>", date=WHEN)
    assert encoded.utf8 and encoded.envelope_sender == "mönitor@example.org"
    assert parsed(encoded.data)["From"].addresses[0].addr_spec == "mönitor@example.org"


def test_a_message_id_takes_the_domain_of_the_sender_in_ascii():
    assert message_id_domain("UK–Japan S&T Monitor <monitor@example.org>") == "example.org"
    assert message_id_domain("Monitor <monitor@bücher.example>") == "xn--bcher-kva.example"
