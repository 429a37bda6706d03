"""The token rule: with UKJP_WEB_TOKEN set, every route but /healthz needs it,
as a bearer header or ?token= (calendar apps can only do that)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from ukjp_monitor.web.app import create_app

PILOT = "rare-disease-pilot-start"

TOKEN = "s3cret-token"
GUARDED = [
    "/",
    f"/milestones/{PILOT}",
    "/timeline",
    "/api/milestones",
    f"/api/milestones/{PILOT}",
    "/calendar.ics",
    "/static/style.css",
    "/nothing-here",
]


@pytest.fixture
def guarded(synced_monitor, settings):
    with TestClient(create_app(settings.but(web_token=TOKEN))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", GUARDED)
def test_without_the_token_every_route_is_401(guarded, path):
    response = guarded.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "needs its token" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", GUARDED[:-1])
def test_a_bearer_header_or_a_token_parameter_opens_every_route(guarded, path):
    bearer = guarded.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200
    separator = "&" if "?" in path else "?"
    assert guarded.get(f"{path}{separator}token={TOKEN}").status_code == 200


def test_a_wrong_token_is_401(guarded):
    assert guarded.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert guarded.get("/?token=nope").status_code == 401
    assert guarded.get("/api/milestones?token=").status_code == 401


def test_healthz_needs_no_token(guarded):
    assert guarded.get("/healthz").status_code == 200


def test_links_on_a_page_opened_with_the_token_carry_it(guarded):
    html = guarded.get(f"/?token={TOKEN}").text
    assert f'href="milestones/{PILOT}?token={TOKEN}"' in html
    assert f'href="static/style.css?token={TOKEN}"' in html
    assert f'name="token" value="{TOKEN}"' in html  # the filter form keeps it too


def test_a_401_under_api_is_json(guarded):
    response = guarded.get("/api/milestones")
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json()
