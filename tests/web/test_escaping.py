"""Everything from the configuration or the database is escaped on every page."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from ukjp_monitor.web.app import create_app

PILOT = "rare-disease-pilot-start"

HOSTILE_TITLE = "<script>alert(1)</script> pilot"
HOSTILE_NOTE = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(monitor, config_dir, settings):
    path = config_dir / "milestones.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "title: National rare disease screening pilot begins in Japan",
        f"title: '{HOSTILE_TITLE}'",
    ).replace(
        "owner: Orchard Therapeutics (Kyowa Kirin) / UK government",
        "owner: '\"><img src=x onerror=alert(2)>'",
    )
    path.write_text(text, encoding="utf-8")
    monitor.sync()
    monitor.forecast(PILOT, "2027-Q1", reason=HOSTILE_NOTE)
    monitor.complete(
        "package-announced",
        on=monitor.today(monitor.programme()),
        evidence="javascript:alert(3)",
        note=HOSTILE_NOTE,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?status=planned",
        f"/milestones/{PILOT}",
        "/milestones/package-announced",
        "/milestones/orchard-lsimf-terms",
        "/timeline",
    ],
)
def test_hostile_titles_owners_and_notes_are_escaped(hostile, path):
    html = hostile.get(path).text
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript:' not in html


def test_the_escaped_text_is_still_shown(hostile):
    html = hostile.get(f"/milestones/{PILOT}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; pilot" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_json_keeps_the_text_as_it_is(hostile):
    [row] = [r for r in hostile.get("/api/milestones").json() if r["id"] == PILOT]
    assert row["title"] == HOSTILE_TITLE
