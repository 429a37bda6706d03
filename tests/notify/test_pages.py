"""Links between the status pages: relative, so they work served under any
prefix and as files opened from the disk."""

from ukjp_monitor.notify.pages import Links, web_address
from ukjp_monitor.plan.filters import Filters
from ukjp_monitor.plan.status import Status


def test_served_pages_link_relative_to_where_they_are():
    top, below = Links(depth=0), Links(depth=1)
    assert top.overview() == "./" and below.overview() == "../"
    assert top.milestone("pilot") == "milestones/pilot"
    assert below.milestone("pilot") == "../milestones/pilot"
    assert below.stylesheet() == "../static/style.css"
    assert top.overview(Filters(status=Status.DUE), page=2) == "./?status=due&page=2"


def test_static_files_link_to_files_and_drop_what_needs_a_server():
    top = Links(depth=0, static=True)
    assert top.overview() == "index.html" and top.overview(page=3) == "index-3.html"
    assert Links(depth=1, static=True).milestone("pilot") == "../milestones/pilot.html"
    assert top.overview(Filters(workstream="quantum")) is None
    assert top.calendar() is None and top.api() is None


def test_a_token_given_in_the_address_rides_on_every_link():
    links = Links(depth=1, token="t&k")
    assert links.milestone("pilot") == "../milestones/pilot?token=t%26k"
    assert links.overview(Filters(owner="A / B")) == "../?owner=A+%2F+B&token=t%26k"


def test_only_web_addresses_become_links():
    assert web_address("https://www.gov.uk/x") and web_address("http://example.org")
    assert not web_address("javascript:alert(1)") and not web_address("Signed in Tokyo")
    assert not web_address(None)
