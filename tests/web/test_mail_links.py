"""Every status-page link a digest or an alert carries opens a page that
is there: the milestone's own, or the overview at the section it names."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import urlsplit

from sample_mail import parsed

BASE = "https://status.example.org"
NOV_24 = date(2026, 11, 24)


def test_each_link_in_the_mail_opens_a_page_of_the_status_page(
    config_dir, synced_monitor, settings, web_client
):
    path = config_dir / "monitor.yaml"
    path.write_text(path.read_text() + f"\nweb:\n  base_url: {BASE}\n")
    synced_monitor.check(as_of=NOV_24)
    synced_monitor.send_digests(as_of=NOV_24)
    links = set()
    for eml in settings.outbox_dir.glob("*.eml"):
        html = parsed(eml.read_bytes()).get_body(("html",)).get_content()
        links |= {unescape(h) for h in re.findall(r'href="([^"]+)"', html) if h.startswith(BASE)}
    assert any("/milestones/" in link for link in links)
    for link in sorted(links):
        address = urlsplit(link)
        page = web_client.get(address.path, params=address.query or None)
        assert page.status_code == 200, link
        if address.fragment:
            assert f'id="{address.fragment}"' in page.text, link


def test_every_remainder_link_is_an_overview_the_page_accepts(web_client):
    from ukjp_monitor.notify.compose import SECTIONS
    from ukjp_monitor.notify.links import Links
    from ukjp_monitor.plan.records import Audience

    audiences = [
        Audience("all"),
        Audience(("life-sciences",)),
        Audience((), ("UK and Japanese governments",)),
        Audience(("quantum", "space")),
    ]
    due = web_client.get("/").text
    for name, _, noun in SECTIONS:
        for audience in audiences:
            link = urlsplit(Links(BASE).overview(audience, noun))
            assert web_client.get(link.path, params=link.query or None).status_code == 200
            if link.fragment:
                assert link.fragment == f"s-{name}"
    assert 'id="s-due"' in due  # the overview names its sections so
