"""Channel posts: short, in the reader's language, linked when the status page is
published; and the Apprise transport, against a real webhook server on loopback."""

from __future__ import annotations

from datetime import date

import pytest

from ukjp_monitor.notify.alerts import compose_alert
from ukjp_monitor.notify.apprise_transport import AppriseTransport, resolve, scrub
from ukjp_monitor.notify.channels import POST_LINES, ChannelWriter, Post, plain
from ukjp_monitor.notify.compose import compose_digest
from ukjp_monitor.notify.transport import DeliveryError
from ukjp_monitor.plan.periods import parse_period
from ukjp_monitor.plan.records import Channel, Recipient, TransitionLine
from ukjp_monitor.plan.status import Milestone, evaluate

AS_OF = date(2026, 11, 24)
PROGRAMME = "UK–Japan Science and Technology Partnership"
SITE = "https://status.example.org"


def overdue(n: int, title: str = "Milestone") -> tuple[list[Milestone], list[TransitionLine]]:
    """``n`` milestones that went overdue at this check."""
    plan = [
        Milestone(id=f"m{i}", title=f"{title} {i}", workstream="ws", target=parse_period("2026-10"))
        for i in range(n)
    ]
    lines = [
        TransitionLine(i, m.id, m.title, "ws", AS_OF, "due", "overdue", False, False, "2026-10")
        for i, m in enumerate(plan)
    ]
    return plan, lines


def alert_for(reader: Recipient, plan, lines):
    return compose_alert(
        programme=PROGRAMME,
        recipient=reader,
        as_of=AS_OF,
        lines=lines,
        assessments=evaluate(plan, AS_OF),
    )


def test_an_alert_post_is_a_headline_then_one_line_per_milestone():
    plan, lines = overdue(2)
    post = ChannelWriter().alert(alert_for(Recipient("channel:x"), plan, lines))
    assert post.subject == f"{PROGRAMME}: Alert — 2 overdue"
    assert post.text.splitlines() == [
        "• Milestone 0: now overdue — 24 days overdue (due by 31 Oct 2026)",
        "• Milestone 1: now overdue — 24 days overdue (due by 31 Oct 2026)",
    ]


def test_each_line_links_to_the_milestones_page_when_the_site_is_published():
    plan, lines = overdue(1)
    post = ChannelWriter(base_url=SITE).alert(alert_for(Recipient("channel:x"), plan, lines))
    assert post.text.startswith(f"• [Milestone 0]({SITE}/milestones/m0): now overdue")


def test_a_long_alert_lists_the_first_lines_and_counts_the_rest_linked_to_the_overview():
    plan, lines = overdue(POST_LINES + 5)
    post = ChannelWriter(base_url=SITE).alert(alert_for(Recipient("channel:x"), plan, lines))
    rows = post.text.splitlines()
    assert len(rows) == POST_LINES + 1
    assert rows[-1] == f"[…and 5 more changes.]({SITE}/)"


def test_a_title_cannot_make_markup_or_break_the_line():
    plan, lines = overdue(1, title="*Bold* [link](https://evil.example) <!here>\nnext")
    post = ChannelWriter().alert(alert_for(Recipient("channel:x"), plan, lines))
    assert post.text.startswith(r"• \*Bold\* \[link\](https://evil.example) \<!here\> next 0:")
    assert plain("a_b") == r"a\_b"


def test_a_japanese_channel_reads_japanese():
    plan, lines = overdue(1)
    post = ChannelWriter().alert(alert_for(Recipient("channel:x", language="ja"), plan, lines))
    assert post.subject == f"【{PROGRAMME}】アラート：期限超過 1件"
    assert "2026年10月31日" in post.text


def test_the_weekly_summary_says_the_digests_sentence_and_links_the_overview():
    plan, _ = overdue(1)
    digest = compose_digest(
        programme=PROGRAMME,
        recipient=Recipient("channel:x"),
        as_of=AS_OF,
        since=date(2026, 11, 17),
        assessments=evaluate(plan, AS_OF),
        changes=(),
    )
    post = ChannelWriter(base_url=SITE).summary(digest)
    assert post.subject == f"{PROGRAMME}: Weekly summary 2026-W48 — 1 overdue"
    assert post.text.splitlines() == [
        "1 milestone needs attention: “Milestone 0” is 24 days overdue.",
        f"[Open the status page]({SITE}/)",
    ]


def test_a_channel_is_routed_as_the_recipient_it_reads_as():
    channel = Channel("team", "json://h/${X}", workstreams=("ws",), language="ja")
    assert channel.reader == Recipient("channel:team", "team", ("ws",), (), "ja")
    assert "${X}" not in repr(channel)


def test_references_resolve_from_the_environment_and_scrub_back_to_their_names():
    url, secrets = resolve("json://${HOST}/${TOKEN}/hook", {"HOST": "h.example", "TOKEN": "t/k"})
    assert url == "json://h.example/t/k/hook"
    scrubbed = scrub("to h.example at /t%2Fk and /t/k", secrets)
    assert scrubbed == "to ${HOST} at /${TOKEN} and /${TOKEN}"
    with pytest.raises(DeliveryError, match="the environment variable TOKEN is not set") as raised:
        resolve("json://h/${TOKEN}", {})
    assert raised.value.permanent


POST = Post("Title", "text", "<1@x>")


def send(url: str, environ: dict[str, str] | None = None) -> None:
    AppriseTransport({"channel:x": url}, environ or {}).send(POST, "channel:x")


def test_the_transport_posts_title_and_text_to_the_resolved_url(webhook):
    send(webhook.url("${TOKEN}/hook"), {"TOKEN": "abc"})
    (got,) = webhook.accepted
    assert (got.path, got.title, got.message) == ("/abc/hook", "Title", "text")


@pytest.mark.parametrize(
    ("status", "permanent", "refused"),
    [(500, False, False), (503, False, False), (429, False, True), (404, True, False)],
)
def test_a_5xx_or_429_may_pass_later_and_a_4xx_never(webhook, status, permanent, refused):
    webhook.answers = [status]
    with pytest.raises(DeliveryError) as raised:
        send(webhook.url("hook"))
    assert (raised.value.permanent, raised.value.refused) == (permanent, refused)
    assert f"error={status}" in raised.value.reply


def test_a_server_that_is_down_may_be_up_later_and_its_address_is_not_told(webhook):
    webhook.stop()
    with pytest.raises(DeliveryError) as raised:
        send(webhook.url("hook").replace("127.0.0.1", "${HOST}"), {"HOST": "127.0.0.1"})
    assert not raised.value.permanent
    assert "${HOST}" in raised.value.reply and "127.0.0.1" not in raised.value.reply


def test_a_url_apprise_cannot_read_once_resolved_is_refused_for_good():
    with pytest.raises(DeliveryError, match="Apprise cannot read") as raised:
        send("https://${WHERE}", {"WHERE": "not a webhook"})
    assert raised.value.permanent and "not a webhook" not in raised.value.reply
