"""The mailer against a real SMTP server (aiosmtpd on loopback) and a real outbox."""

from __future__ import annotations

import logging
import threading
from contextlib import closing
from datetime import timedelta

import pytest

from sample_mail import SENDER, WHEN, message_to, parsed
from ukjp_monitor.notify.delivery import deliver, open_transport
from ukjp_monitor.notify.letters import Letter
from ukjp_monitor.notify.outbox import OutboxTransport
from ukjp_monitor.notify.smtp import NO_STARTTLS, SmtpTransport
from ukjp_monitor.notify.transport import DeliveryError, Outgoing
from ukjp_monitor.plan.records import Outcome, new_message_id
from ukjp_monitor.settings import Settings

SENT, PENDING, REFUSED = Outcome.SENT, Outcome.PENDING, Outcome.REFUSED
PASSWORD = "Zq7-unmistakable-s3cret"


class Backoffs(list):
    """Stands in for time.sleep: remembers each pause instead of taking it."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def outgoing(*recipients: str) -> list[Outgoing]:
    return [Outgoing(key=("digest", r), recipient=r, message=message_to(r)) for r in recipients]


def send_all(settings: Settings, items: list[Outgoing], **options):
    options.setdefault("sleep", Backoffs())
    with closing(open_transport(settings)) as transport:
        return deliver(transport, items, **options)


# -- open_transport ------------------------------------------------------------


def test_it_opens_smtp_when_a_host_is_set_and_the_outbox_otherwise(tmp_path):
    assert isinstance(open_transport(Settings(smtp_host="mail.example.org")), SmtpTransport)
    outbox = open_transport(Settings(outbox_dir=tmp_path))
    assert isinstance(outbox, OutboxTransport)
    assert outbox.folder == tmp_path


# -- SMTP delivery ---------------------------------------------------------------


def test_several_messages_go_over_one_connection(smtp_server, smtp_settings):
    items = outgoing("ada@example.org", "bob@example.org", "cy@example.org")
    results = send_all(smtp_settings, items)
    assert [(r.key, r.outcome, r.attempts, r.error) for r in results] == [
        (item.key, SENT, 1, None) for item in items
    ]
    assert smtp_server.connections == 1
    assert [r.recipients for r in smtp_server.received] == [[i.recipient] for i in items]


def test_the_server_receives_the_message_as_built(smtp_server, smtp_settings):
    item = outgoing("ada@example.org")[0]
    send_all(smtp_settings, [item])
    (received,) = smtp_server.received
    got = received.message
    assert received.sender == "monitor@example.org"
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        assert got[header] == parsed(item.message.data)[header]
    plain, html = got.iter_parts()
    assert plain.get_content().strip() == "Due today: 2 — café"
    assert html.get_content().strip() == "<p>Due <b>today</b></p>"


def test_the_envelope_names_only_the_given_recipient(smtp_server, smtp_settings):
    message = message_to("list@example.org")
    send_all(smtp_settings, [Outgoing("k", "ada@example.org", message)])
    assert smtp_server.recipients() == ["ada@example.org"]


def test_a_temporary_failure_is_retried_after_a_backoff(smtp_server, smtp_settings):
    smtp_server.fail_data(times=1)
    backoffs = Backoffs()
    (result,) = send_all(smtp_settings, outgoing("ada@example.org"), backoff=0.5, sleep=backoffs)
    assert (result.outcome, result.attempts, result.error) == (SENT, 2, None)
    assert backoffs == [0.5]
    assert len(smtp_server.received) == 1


def test_backoff_doubles_and_the_last_reply_is_reported(smtp_server, smtp_settings):
    smtp_server.fail_data(times=3)
    backoffs = Backoffs()
    (result,) = send_all(smtp_settings, outgoing("ada@example.org"), attempts=3, sleep=backoffs)
    assert backoffs == [1.0, 2.0]
    assert (result.outcome, result.attempts) == (PENDING, 3)
    assert result.error == "451 4.3.0 try again later"


def test_when_the_server_is_down_one_message_backs_off_and_the_rest_wait_for_the_next_run(
    smtp_server, smtp_settings
):
    smtp_server.stop()
    results = send_all(smtp_settings, outgoing("ada@example.org", "bob@example.org"))
    assert [(r.outcome, r.attempts) for r in results] == [(PENDING, 3), (PENDING, 0)]
    assert all("Connection refused" in r.error for r in results)


def test_a_server_that_comes_back_gets_the_message(smtp_server, smtp_settings):
    smtp_server.stop()

    def wait(seconds):
        smtp_server.start()

    (result,) = send_all(smtp_settings, outgoing("ada@example.org"), sleep=wait)
    assert (result.outcome, result.attempts) == (SENT, 2)
    assert smtp_server.recipients() == ["ada@example.org"]


def test_it_reconnects_when_the_server_dropped_the_connection(smtp_server, smtp_settings):
    with closing(open_transport(smtp_settings)) as transport:
        first = deliver(transport, outgoing("ada@example.org"), sleep=Backoffs())
        smtp_server.stop()
        smtp_server.start()
        second = deliver(transport, outgoing("bob@example.org"), sleep=Backoffs())
    assert [first[0].outcome, second[0].outcome] == [SENT, SENT]
    assert smtp_server.recipients() == ["ada@example.org", "bob@example.org"]
    assert smtp_server.connections == 2


def test_a_rejected_recipient_fails_permanently_and_the_others_still_go(smtp_server, smtp_settings):
    smtp_server.reject_recipient("ghost@example.org")
    backoffs = Backoffs()
    results = send_all(
        smtp_settings,
        outgoing("ada@example.org", "ghost@example.org", "bob@example.org"),
        sleep=backoffs,
    )
    assert [(r.recipient, r.outcome) for r in results] == [
        ("ada@example.org", SENT),
        ("ghost@example.org", REFUSED),
        ("bob@example.org", SENT),
    ]
    assert results[1].error == "550 5.1.1 no such user"
    assert results[1].attempts == 1 and backoffs == []
    assert smtp_server.recipients() == ["ada@example.org", "bob@example.org"]
    assert smtp_server.connections == 1


def test_each_outcome_is_reported_before_the_next_message_goes(smtp_server, smtp_settings):
    seen = []

    def on_result(result):
        seen.append((result.recipient, len(smtp_server.received)))

    send_all(smtp_settings, outgoing("ada@example.org", "bob@example.org"), on_result=on_result)
    assert seen == [("ada@example.org", 1), ("bob@example.org", 2)]


def test_a_timeout_is_a_temporary_failure(smtp_server, smtp_settings):
    smtp_server.hold_data()  # never released: the server stays silent after DATA
    settings = smtp_settings.but(smtp_timeout=0.3)
    (result,) = send_all(settings, outgoing("ada@example.org"), attempts=1)
    assert result.outcome is PENDING
    assert "timed out" in result.error


def test_the_server_can_hold_data_until_released(smtp_server, smtp_settings):
    release = smtp_server.hold_data()
    results = []
    sender = threading.Thread(
        target=lambda: results.extend(send_all(smtp_settings, outgoing("ada@example.org")))
    )
    sender.start()
    assert smtp_server.data_waiting.wait(5)
    assert smtp_server.received == [] and results == []
    release.set()
    sender.join(5)
    assert [r.outcome for r in results] == [SENT]
    assert smtp_server.recipients() == ["ada@example.org"]


def test_it_refuses_to_log_in_when_starttls_is_not_offered(smtp_server, smtp_settings):
    smtp_server.require_auth("monitor", PASSWORD)
    settings = smtp_settings.but(
        smtp_security="starttls", smtp_username="monitor", smtp_password=PASSWORD
    )
    results = send_all(settings, outgoing("ada@example.org", "bob@example.org"))
    # Not permanent: once the settings are fixed the next run must send them.
    assert [(r.outcome, r.attempts) for r in results] == [(PENDING, 1), (PENDING, 0)]
    assert all(r.error == NO_STARTTLS for r in results)
    assert smtp_server.logins == [] and smtp_server.received == []
    assert smtp_server.connections == 1  # the refusal is remembered, not re-tried


def test_without_a_login_starttls_that_is_not_offered_falls_back_with_a_warning(
    smtp_server, smtp_settings, caplog
):
    settings = smtp_settings.but(smtp_security="starttls")
    (result,) = send_all(settings, outgoing("ada@example.org"))
    assert result.outcome is SENT
    assert "does not offer STARTTLS; sending in clear" in caplog.text


def test_it_logs_in_over_a_plain_connection_when_security_is_none(smtp_server, smtp_settings):
    smtp_server.require_auth("monitor", PASSWORD)
    settings = smtp_settings.but(smtp_username="monitor", smtp_password=PASSWORD)
    results = send_all(settings, outgoing("ada@example.org", "bob@example.org"))
    assert all(r.outcome is SENT for r in results)
    assert smtp_server.logins == ["monitor"]


def test_without_a_login_an_auth_requiring_server_refuses_permanently(smtp_server, smtp_settings):
    smtp_server.require_auth("monitor", PASSWORD)
    (result,) = send_all(smtp_settings, outgoing("ada@example.org"))
    assert result.outcome is REFUSED
    assert result.error.startswith("530")


def test_the_password_never_leaks(smtp_server, smtp_settings, caplog):
    caplog.set_level(logging.DEBUG)
    smtp_server.require_auth("monitor", "the-right-one")
    settings = smtp_settings.but(smtp_username="monitor", smtp_password=PASSWORD)
    texts = [repr(settings), repr(SmtpTransport(settings))]

    refused = send_all(settings, outgoing("ada@example.org", "bob@example.org"))
    assert [(r.outcome, r.error.split()[0]) for r in refused] == [(PENDING, "535")] * 2
    smtp_server.stop()
    down = send_all(settings, outgoing("ada@example.org"))
    assert "Connection refused" in down[0].error
    with pytest.raises(DeliveryError) as raised:
        SmtpTransport(settings).send(message_to("ada@example.org"), "ada@example.org")

    texts += [r.error for r in refused + down]
    texts += [str(raised.value), repr(raised.value), str(raised.value.__cause__)]
    texts += [caplog.text]
    assert all(PASSWORD not in text for text in texts)
    assert smtp_server.logins == []


def test_a_password_echoed_by_the_server_is_masked(smtp_server, smtp_settings):
    smtp_server.reject_recipient("ada@example.org", f"550 5.1.1 {PASSWORD} is not a user")
    settings = smtp_settings.but(smtp_password=PASSWORD)
    (result,) = send_all(settings, outgoing("ada@example.org"))
    assert result.error == "550 5.1.1 *** is not a user"


# -- the outbox ----------------------------------------------------------------


def test_the_outbox_holds_one_eml_file_per_message_that_a_mail_client_can_read(tmp_path):
    settings = Settings(outbox_dir=tmp_path / "new" / "outbox")
    items = outgoing("ada@example.org", "bob@example.org")
    results = send_all(settings, items)
    assert all(r.outcome is SENT for r in results)
    files = sorted(settings.outbox_dir.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    assert files[0].name.startswith("20261124T120000Z-ada@example.org-")
    for path, item in zip(files, items, strict=True):
        message, expected = parsed(path.read_bytes()), parsed(item.message.data)
        for header in ("From", "To", "Subject", "Date", "Message-ID"):
            assert message[header] == expected[header]
        plain, html = message.iter_parts()
        assert plain.get_content().strip() == "Due today: 2 — café"
        assert html.get_content().strip() == "<p>Due <b>today</b></p>"


def test_outbox_files_use_crlf_line_endings_like_smtp(tmp_path):
    send_all(Settings(outbox_dir=tmp_path), outgoing("ada@example.org"))
    (path,) = tmp_path.iterdir()
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")


def test_writing_the_same_message_again_leaves_one_file(tmp_path):
    outbox = OutboxTransport(tmp_path)
    message = message_to("ada@example.org")
    outbox.send(message, "ada@example.org")
    outbox.send(message, "ada@example.org")
    assert len(list(tmp_path.iterdir())) == 1


def test_a_resend_with_a_new_date_replaces_the_earlier_file(tmp_path):
    outbox = OutboxTransport(tmp_path)
    message_id = new_message_id("example.org")
    outbox.send(message_to("ada@example.org", message_id=message_id), "ada@example.org")
    later = message_to("ada@example.org", message_id=message_id, date=WHEN + timedelta(hours=1))
    outbox.send(later, "ada@example.org")
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("20261124T130000Z-")


def test_a_resend_by_a_later_run_replaces_the_file_an_earlier_run_wrote(tmp_path):
    message_id = new_message_id("example.org")
    first = message_to("ada@example.org", message_id=message_id)
    OutboxTransport(tmp_path).send(first, "ada@example.org")
    later = message_to("ada@example.org", message_id=message_id, date=WHEN + timedelta(hours=1))
    OutboxTransport(tmp_path).send(later, "ada@example.org")
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("20261124T130000Z-")


def test_outbox_file_names_sort_by_date(tmp_path):
    outbox = OutboxTransport(tmp_path)
    for hours in (2, 0, 1):
        date = WHEN + timedelta(hours=hours)
        outbox.send(message_to("ada@example.org", date=date), "ada@example.org")
    stamps = [p.name[:16] for p in sorted(tmp_path.iterdir())]
    assert stamps == ["20261124T120000Z", "20261124T130000Z", "20261124T140000Z"]


def test_an_outbox_write_leaves_no_temporary_file_behind(tmp_path):
    outbox = OutboxTransport(tmp_path)
    outbox.send(message_to("ada@example.org"), "ada@example.org")
    assert [p.suffix for p in tmp_path.iterdir()] == [".eml"]


def test_a_failed_outbox_write_leaves_nothing_and_may_be_retried(tmp_path):
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    (result,) = send_all(Settings(outbox_dir=blocker), outgoing("ada@example.org"))
    assert result.outcome is PENDING
    assert "FileExistsError" in result.error or "NotADirectoryError" in result.error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outbox"]


# -- letters over SMTP and into the outbox ---------------------------------------


def test_letters_go_through_smtp_and_the_outbox(smtp_server, smtp_settings, tmp_path):
    letter = Letter(
        sender=SENDER,
        subject="Weekly digest — 1 due",
        text="héllo\n",
        html="<p>é</p>",
        list_id="S&T <s-t.example.org>",
    )
    items = [
        Outgoing(key=i, recipient=r, message=letter.to(r, message_id=f"<{i}@x>", date=WHEN))
        for i, r in enumerate(["ada@example.org", "bob@example.org"])
    ]
    assert all(r.outcome is SENT for r in deliver(open_transport(smtp_settings), items))
    assert [r.message["Message-ID"] for r in smtp_server.received] == ["<0@x>", "<1@x>"]
    outbox = OutboxTransport(tmp_path)
    for item in items + items:  # the second round is a resend: same files
        outbox.send(item.message, item.recipient)
    assert len(list(tmp_path.glob("*.eml"))) == 2


# -- international addresses -------------------------------------------------------

JOERG = "jörg@bücher.example"


def test_an_international_address_goes_with_smtputf8_when_the_server_offers_it(
    smtp_server, smtp_settings
):
    smtp_server.offer_smtputf8()
    results = send_all(smtp_settings, outgoing("ada@example.org", JOERG, "bob@example.org"))
    assert [(r.recipient, r.outcome) for r in results] == [
        ("ada@example.org", SENT),
        (JOERG, SENT),
        ("bob@example.org", SENT),
    ]
    ada, joerg, bob = smtp_server.received
    assert joerg.recipients == [JOERG] and "SMTPUTF8" in joerg.options
    assert joerg.message["To"].addresses[0].addr_spec == JOERG
    assert "SMTPUTF8" not in ada.options + bob.options  # ASCII mail goes as it always did
    assert smtp_server.connections == 1


def test_an_international_address_is_refused_by_a_server_without_smtputf8_and_the_rest_still_go(
    smtp_server, smtp_settings, caplog
):
    backoffs = Backoffs()
    items = outgoing("ada@example.org", JOERG, "bob@example.org")
    results = send_all(smtp_settings, items, sleep=backoffs)
    assert [(r.recipient, r.outcome, r.attempts) for r in results] == [
        ("ada@example.org", SENT, 1),
        (JOERG, REFUSED, 1),
        ("bob@example.org", SENT, 1),
    ]
    assert "does not offer SMTPUTF8" in results[1].error
    assert backoffs == [] and smtp_server.connections == 1
    assert smtp_server.recipients() == ["ada@example.org", "bob@example.org"]
    assert f"permanent failure for {items[1].message.message_id} to {JOERG}" in caplog.text


def test_the_outbox_writes_a_message_to_an_international_address(tmp_path):
    item = outgoing(JOERG)[0]
    (result,) = send_all(Settings(outbox_dir=tmp_path), [item])
    assert result.outcome is SENT
    (path,) = tmp_path.glob("*.eml")
    raw = path.read_bytes()
    # RFC 6532: the address as it is, in UTF-8; an encoded word may not stand in one.
    assert f"\r\nTo: {JOERG}\r\n".encode() in raw
    message = parsed(raw)
    assert message["To"].addresses[0].addr_spec == JOERG
    assert message.get_body(("plain",)).get_content().strip() == "Due today: 2 — café"
