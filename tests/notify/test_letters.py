"""Messages as built for the wire: make_message, and a Letter shared by many recipients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import SMTP, default

import pytest

from sample_mail import SENDER, WHEN, message_to
from ukjp_monitor.notify.letters import Letter, make_message
from ukjp_monitor.plan.records import new_message_id

# -- make_message ------------------------------------------------------------


def test_a_message_is_text_then_html_as_alternatives():
    message = message_to("ada@example.org")
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert parts[0].get_content_charset() == "utf-8"
    assert parts[0].get_content().strip() == "Due today: 2 — café"
    assert message["MIME-Version"] == "1.0"


def test_a_message_without_html_is_plain_text():
    message = message_to("ada@example.org", html=None)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Due today: 2 — café"


def test_a_message_carries_its_headers_exactly():
    message_id = new_message_id("example.org")
    date = datetime(2026, 11, 24, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    message = message_to("ada@example.org", message_id=message_id, date=date)
    parsed = BytesParser(policy=default).parsebytes(message.as_bytes())
    assert parsed["Message-ID"] == message_id
    assert parsed["Date"] == "Tue, 24 Nov 2026 12:00:00 +0900"
    assert parsed["From"] == SENDER
    assert parsed["To"] == "ada@example.org"
    assert parsed["Subject"] == "Milestones — 1 overdue, 2 due"


@pytest.mark.parametrize("field", ["subject", "sender", "recipient", "message_id"])
@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n", "\u2028", "\x85"])
def test_a_line_break_in_a_header_raises_instead_of_adding_a_header(field, newline):
    fields = dict(sender=SENDER, recipient="ada@example.org", subject="Hello", text="Hi")
    fields |= dict(html=None, message_id=new_message_id(), date=WHEN)
    fields[field] = f"x@example.org{newline}Bcc: eve@example.org"
    with pytest.raises(ValueError):
        make_message(**fields)


@pytest.mark.parametrize("newline", ["\n", "\r"])
def test_the_smtp_policy_itself_also_refuses_line_breaks_in_headers(newline):
    # make_message checks first; this pins the second line of defence.
    message = make_message(
        sender=SENDER,
        recipient="ada@example.org",
        subject="Hi",
        text="Hi",
        html=None,
        message_id=new_message_id(),
        date=WHEN,
    )
    with pytest.raises(ValueError):
        message["Reply-To"] = f"x@example.org{newline}Bcc: eve@example.org"


def test_a_naive_date_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        message_to("ada@example.org", date=datetime(2026, 11, 24, 12, 0))


def test_message_ids_are_unique_and_bracketed():
    ids = {new_message_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("<") and i.endswith("@ukjp-monitor>") for i in ids)


# -- letters: one encoded body, many recipients ------------------------------------


def letter_kwargs() -> dict:
    return dict(
        sender="UK–Japan S&T Monitor <monitor@example.org>",
        subject="[UK–Japan S&T] Weekly digest 2026-W48 — 1 due",
        text="héllo\n" * 50,
        html="<p>é</p>" * 50,
    )


AWKWARD_TEXT = (
    "trailing spaces   \n= signs = 3D\n.a dot starts this line\n"
    + "long " * 40
    + "\nwindows\r\nold mac\rtab\tend\t\n日本 🎌 ü\nno final newline"
)


@pytest.mark.parametrize(
    ("recipient", "text", "html"),
    [
        ("Ada <ada@example.org>", "héllo\n" * 50, "<p>é</p>" * 50),
        ("Zoë Ünal <zoe@example.org>", AWKWARD_TEXT, AWKWARD_TEXT.replace("\n", "<br>\n")),
        ("ada@example.org", AWKWARD_TEXT, None),
    ],
    ids=["plain", "awkward", "text-only"],
)
def test_a_letter_is_the_message_make_message_builds(recipient, text, html):
    when = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    kwargs = letter_kwargs() | {"text": text, "html": html}
    encoded = Letter(**kwargs).to(recipient, message_id="<1@x>", date=when)
    built = make_message(recipient=recipient, message_id="<1@x>", date=when, **kwargs)
    reference = BytesParser(policy=default).parsebytes(built.as_bytes(policy=SMTP))
    parsed = BytesParser(policy=default).parsebytes(encoded.data)
    for header in ("From", "To", "Subject", "Message-ID", "Date", "MIME-Version"):
        assert parsed[header] == reference[header], header
    # Content-Type too, but for the multipart boundary, which is random.
    assert parsed.get_content_type() == reference.get_content_type()
    assert [p.get_content() for p in parsed.walk() if not p.is_multipart()] == [
        p.get_content() for p in reference.walk() if not p.is_multipart()
    ]
    assert (encoded.envelope_sender, encoded.message_id) == ("monitor@example.org", "<1@x>")


def test_a_letter_on_the_wire_is_seven_bit_with_short_crlf_lines():
    letter = Letter(**letter_kwargs() | {"text": AWKWARD_TEXT, "html": AWKWARD_TEXT})
    data = letter.to("Zoë <zoe@example.org>", message_id="<1@x>", date=datetime.now(UTC)).data
    assert data.isascii()
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 78


def test_a_letter_refuses_a_recipient_that_would_add_a_header():
    with pytest.raises(ValueError, match="line break"):
        Letter(**letter_kwargs()).to(
            "ada@example.org\r\nBcc: eve@example.org",
            message_id="<1@x>",
            date=datetime.now(UTC),
        )
