"""The routes of DESIGN §13, their parameters and every error, on SQLite and
PostgreSQL, through the app as uvicorn would run it."""

from __future__ import annotations

import html
import json
from datetime import date

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from conftest import TODAY
from ukjp_monitor.plan.report import to_json, to_json_array
from ukjp_monitor.web.app import create_app

PILOT = "rare-disease-pilot-start"

HTML_ROUTES = ["/", f"/milestones/{PILOT}", "/timeline"]
ALL_ROUTES = [
    *HTML_ROUTES,
    "/api/milestones",
    f"/api/milestones/{PILOT}",
    "/calendar.ics",
    "/healthz",
    "/static/style.css",
]


def test_the_overview_leads_with_counts_then_what_needs_attention(web_client):
    page = web_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    text = page.text
    assert text.index("AMBER") < text.index("What needs attention") < text.index("All milestones")
    assert '<h3 id="s-due">Due' in text
    assert f'href="milestones/{PILOT}"' in text
    assert "8 of 8" in text


def test_the_overview_filters_by_workstream_status_and_owner(web_client):
    by_workstream = web_client.get("/", params={"workstream": "quantum"}).text
    assert "quantum-joint-projects" in by_workstream and PILOT not in by_workstream
    by_status = web_client.get("/", params={"status": "completed"}).text
    assert "package-announced" in by_status and PILOT not in by_status
    owner = "Orchard Therapeutics (Kyowa Kirin) / UK government"
    by_owner = web_client.get("/", params={"owner": owner}).text
    assert "orchard-lsimf-terms" in by_owner and PILOT not in by_owner


def test_the_overview_takes_an_empty_form_as_no_filter(web_client):
    page = web_client.get("/", params={"workstream": "", "status": "", "owner": "", "as_of": ""})
    assert page.status_code == 200
    assert "8 of 8" in page.text


def test_the_overview_is_paged(web_client, monkeypatch):
    monkeypatch.setattr("ukjp_monitor.jobs.pages.PAGE_SIZE", 3)
    first = web_client.get("/").text
    assert "1–3 of 8" in first and 'href="./?page=2"' in first
    last = web_client.get("/", params={"page": "3"}).text
    assert "7–8 of 8" in last and "What needs attention" not in last
    assert web_client.get("/", params={"page": "4"}).status_code == 400


def test_the_milestone_page_has_what_show_gives_its_chart_and_history(web_client, synced_monitor):
    synced_monitor.forecast(PILOT, "2027-Q1", reason="Sequencers ship in January")
    page = web_client.get(f"/milestones/{PILOT}").text
    for text in ("Oxford Nanopore Technologies", "H2 2026", "Q1 2027", "+90 days", "30 days"):
        assert text in page
    assert '<svg class="trend trend-640"' in page
    assert "re-forecast 2026-H2 → 2027-Q1, because Sequencers ship in January" in page
    assert 'href="../milestones/nanopore-genesis-heads-of-terms"' in page


def test_a_completed_milestone_shows_its_evidence_and_its_done_point(web_client, synced_monitor):
    synced_monitor.complete(
        "nanopore-genesis-heads-of-terms",
        on=date(2026, 10, 30),
        evidence="https://example.org/heads-of-terms",
        note="Signed in Tokyo",
    )
    page = web_client.get("/milestones/nanopore-genesis-heads-of-terms").text
    assert '<a href="https://example.org/heads-of-terms"' in page
    assert "Signed in Tokyo" in page
    assert "done" in page


def test_the_timeline_marks_baseline_forecast_and_today(web_client):
    page = web_client.get("/timeline").text
    assert page.count('<svg class="bar"') == 2  # the two milestones with a date
    assert "6 more milestones have no date yet" in page
    assert "today" in page


def test_the_api_gives_what_status_format_json_prints(web_client, synced_monitor):
    body = web_client.get("/api/milestones").text
    assert body == to_json_array(synced_monitor.assess().records()) + "\n"
    filtered = web_client.get("/api/milestones", params={"status": "due", "as_of": "2026-11-24"})
    assert [row["id"] for row in filtered.json()] == [PILOT]


def test_the_api_gives_what_show_format_json_prints(web_client, synced_monitor):
    body = web_client.get(f"/api/milestones/{PILOT}").text
    assert body == to_json(synced_monitor.show(PILOT).record()) + "\n"
    assert json.loads(body)["history"][0]["kind"] == "added"


def test_as_of_replays_an_earlier_day(web_client):
    rows = web_client.get("/api/milestones", params={"as_of": "2026-06-05"}).json()
    assert {r["id"]: r["status"] for r in rows}[PILOT] == "approaching"


def test_the_calendar_is_the_ics_export_narrowed_by_workstream(web_client):
    everything = Calendar.from_ical(web_client.get("/calendar.ics").text).walk("VEVENT")
    assert len(everything) == 2
    governance = web_client.get("/calendar.ics", params={"workstream": "governance"})
    assert governance.headers["content-type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(governance.text).walk("VEVENT")
    assert str(event["uid"]) == "package-announced@ukjp-monitor"


def test_healthz_is_200_when_healthy_and_503_when_a_run_is_overdue(web_client, settings, clock):
    healthy = web_client.get("/healthz")
    assert healthy.status_code == 200 and healthy.json()["ok"] is True
    clock.now = TODAY.replace(day=30, hour=12)  # Monday's digest never ran
    late = TestClient(create_app(settings.but(clock=clock)), raise_server_exceptions=False)
    overdue = late.get("/healthz")
    assert overdue.status_code == 503
    assert overdue.json()["ok"] is False
    assert any(run["overdue"] for run in overdue.json()["runs"])


@pytest.mark.parametrize(
    ("path", "sentence"),
    [
        ("/?status=late", "'late' is not a status"),
        ("/?as_of=2026-13-01", "as_of '2026-13-01' is not a date"),
        ("/?page=0", "page '0' is not a page number"),
        ("/?page=99", "page 99 is past the last page, 1"),
        ("/?workstream=spaec", "no workstream has the id 'spaec'"),
        ("/?colour=red", "'colour' is not a parameter of this page"),
        ("/?status=due&status=overdue", "status is given 2 times; give it once"),
        ("/timeline?as_of=soon", "as_of 'soon' is not a date"),
        ("/api/milestones?status=late", "'late' is not a status"),
        ("/api/milestones?page=2", "'page' is not a parameter of this page"),
        ("/calendar.ics?workstream=spaec", "no workstream has the id 'spaec'"),
    ],
)
def test_a_bad_parameter_is_a_400_with_one_sentence(web_client, path, sentence):
    response = web_client.get(path)
    assert response.status_code == 400
    assert sentence in html.unescape(response.text)
    assert "Traceback" not in response.text


def test_errors_come_as_json_under_api_and_as_a_page_elsewhere(web_client):
    api = web_client.get("/api/milestones?status=late")
    assert api.headers["content-type"] == "application/json"
    assert set(api.json()) == {"error"}
    page = web_client.get("/?status=late")
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Bad request</h1>" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/milestones/no-such-milestone",
        "/api/milestones/no-such-milestone",
        "/milestones/..%2F..%2Fetc%2Fpasswd",
        "/milestones/../../etc/passwd",
        "/api/milestones/..%2F..%2Fetc%2Fpasswd",
        "/milestones/%00",
        "/static/..%2F..%2Fpyproject.toml",
        "/nothing-here",
    ],
)
def test_an_unknown_id_or_address_is_a_404_with_one_sentence(web_client, path):
    response = web_client.get(path)
    assert response.status_code == 404
    assert "passwd" not in response.text.replace(path, "")
    assert "root:" not in response.text and "Traceback" not in response.text


def test_the_page_is_read_only(web_client):
    response = web_client.post("/", data={"status": "due"})
    assert response.status_code == 405
    assert "read-only" in response.text


def test_a_database_never_synced_is_a_503_and_creates_nothing(settings, tmp_path):
    missing = settings.but(database_url=f"sqlite:///{tmp_path / 'none.db'}")
    with TestClient(create_app(missing), raise_server_exceptions=False) as empty:
        for path in ("/", "/api/milestones", "/healthz"):
            response = empty.get(path)
            assert response.status_code == 503
            assert "Traceback" not in response.text
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("path", ALL_ROUTES)
def test_every_response_carries_the_security_headers(web_client, path):
    response = web_client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_errors_carry_the_security_headers_too(web_client):
    for path in ("/nothing-here", "/?status=late", "/api/milestones/nope"):
        assert web_client.get(path).headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", HTML_ROUTES)
def test_pages_hold_no_script_no_inline_style_and_no_remote_asset(web_client, path):
    page = web_client.get(path).text.lower()
    assert "<script" not in page and "style=" not in page and "<style" not in page
    assert 'href="//' not in page and 'src="http' not in page
    assert '<link rel="stylesheet" href="' in page and "static/style.css" in page


def test_the_timeline_takes_the_overviews_filters(web_client):
    page = web_client.get("/timeline", params={"workstream": "governance"}).text
    assert page.count('<svg class="bar"') == 1
    assert 'action="timeline"' in page and '<option value="governance" selected>' in page
