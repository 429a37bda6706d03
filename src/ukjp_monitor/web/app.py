"""The status page as an ASGI app (Starlette): routes, parameters, errors.

Thin: each route parses its query (``params``), calls one use case of
``jobs.pages`` and wraps the result in a response. ``create_app`` is the
factory uvicorn loads (``uvicorn --factory ukjp_monitor.web.app:create_app``);
its settings come from the command that started it, else the environment
(``jobs.webrun``). Read-only: every route is GET (and HEAD).

Errors are one sentence, never a traceback: as JSON (``{"error": …}``) under
``/api/`` and on ``/healthz``, as text on the calendar, as a page elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ukjp_monitor.errors import InputError, MonitorError, NotSynced, UnknownMilestone
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.jobs.pages import Pages
from ukjp_monitor.jobs.webrun import web_settings
from ukjp_monitor.notify.pages import Links
from ukjp_monitor.settings import Settings
from ukjp_monitor.web import params
from ukjp_monitor.web.params import BadParameter
from ukjp_monitor.web.security import Guard

log = logging.getLogger(__name__)
JSON = "application/json"
FILTERS = ("workstream", "status", "owner", "as_of", "token")


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The status page for ``settings`` (default: the starting command's, else
    the environment's), wrapped in its security headers and token rule."""
    settings = settings or web_settings()
    pages = Pages(Monitor(settings, trigger="web"))
    web = _Routes(pages, token_set=settings.web_token is not None)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pages.monitor.close()

    app = Starlette(
        routes=[
            Route("/", web.overview, methods=["GET"]),
            Route("/milestones/{milestone_id}", web.milestone, methods=["GET"]),
            Route("/timeline", web.timeline, methods=["GET"]),
            Route("/api/milestones", web.api_milestones, methods=["GET"]),
            Route("/api/milestones/{milestone_id}", web.api_milestone, methods=["GET"]),
            Route("/calendar.ics", web.calendar, methods=["GET"]),
            Route("/healthz", web.healthz, methods=["GET"]),
            Route("/static/style.css", web.stylesheet, methods=["GET"]),
        ],
        exception_handlers={
            BadParameter: web.bad_parameter,
            MonitorError: web.monitor_error,
            DBAPIError: web.database_error,
            HTTPException: web.http_error,
            Exception: web.server_error,
        },
        lifespan=lifespan,
    )
    return Guard(app, token=settings.web_token)


class _Routes:
    def __init__(self, pages: Pages, *, token_set: bool):
        self.pages, self.token_set = pages, token_set

    def links(self, request: Request) -> Links:
        """Relative to the page asked for; carrying ``?token=`` if it came so."""
        depth = max(request.url.path.count("/") - 1, 0)
        token = request.query_params.get("token") if self.token_set else None
        return Links(depth=depth, token=token)

    # -- pages -----------------------------------------------------------------

    def overview(self, request: Request) -> Response:
        query = request.query_params
        params.check_known(query)
        html = self.pages.overview(params.filters(query), params.page(query), self.links(request))
        return HTMLResponse(html)

    def milestone(self, request: Request) -> Response:
        params.check_known(request.query_params, ("as_of", "token"))
        milestone_id = _milestone_id(request)
        as_of = params.filters(request.query_params).as_of
        return HTMLResponse(self.pages.milestone(milestone_id, as_of, self.links(request)))

    def timeline(self, request: Request) -> Response:
        query = request.query_params
        params.check_known(query)
        html = self.pages.timeline(params.filters(query), params.page(query), self.links(request))
        return HTMLResponse(html)

    def stylesheet(self, request: Request) -> Response:
        return PlainTextResponse(
            self.pages.stylesheet(),
            media_type="text/css",
            headers={"cache-control": "max-age=3600"},
        )

    # -- data ------------------------------------------------------------------

    def api_milestones(self, request: Request) -> Response:
        params.check_known(request.query_params, FILTERS)
        body = self.pages.api_milestones(params.filters(request.query_params))
        return Response(body, media_type=JSON)

    def api_milestone(self, request: Request) -> Response:
        params.check_known(request.query_params, ("as_of", "token"))
        as_of = params.filters(request.query_params).as_of
        return Response(self.pages.api_milestone(_milestone_id(request), as_of), media_type=JSON)

    def calendar(self, request: Request) -> Response:
        params.check_known(request.query_params, ("workstream", "token"))
        workstream = params.filters(request.query_params).workstream
        return Response(self.pages.calendar(workstream), media_type="text/calendar; charset=utf-8")

    def healthz(self, request: Request) -> Response:
        params.check_known(request.query_params, ("token",))
        health = self.pages.health()
        return JSONResponse(health, status_code=200 if health["ok"] else 503)

    # -- errors: one sentence, in the route's own kind of response ---------------

    def error(self, request: Request, status: int, sentence: str) -> Response:
        path = request.url.path
        headers = {"cache-control": "no-store"}
        if path.startswith("/api/") or path == "/healthz":
            return JSONResponse({"error": sentence}, status_code=status, headers=headers)
        if path.endswith((".ics", ".css")):
            return PlainTextResponse(sentence + "\n", status_code=status, headers=headers)
        html = self.pages.error(status, sentence, self.links(request))
        return HTMLResponse(html, status_code=status, headers=headers)

    def bad_parameter(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 400, str(exc))

    def monitor_error(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, UnknownMilestone):
            return self.error(request, 404, f"no milestone has the id {exc.milestone_id!r}")
        if isinstance(exc, InputError):
            return self.error(request, 400, str(exc))
        if isinstance(exc, NotSynced):
            return self.error(request, 503, "the monitor's database holds no programme yet")
        return self.error(request, 503, str(exc))

    def database_error(self, request: Request, exc: Exception) -> Response:
        log.error("database error on %s: %s", request.url.path, exc)
        return self.error(request, 503, "the database could not be read; try again shortly")

    def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return self.error(request, 404, "there is no page at this address")
        if exc.status_code == 405:
            return self.error(request, 405, "this page is read-only: only GET and HEAD work here")
        return self.error(request, exc.status_code, str(exc.detail))

    def server_error(self, request: Request, exc: Exception) -> Response:
        log.exception("error on %s", request.url.path)
        return self.error(request, 500, "something went wrong on the server; its log says what")


def _milestone_id(request: Request) -> str:
    """The id in the path; one that no milestone could have is a 404 at once."""
    milestone_id = request.path_params["milestone_id"]
    if not params.MILESTONE_ID.match(milestone_id):
        raise HTTPException(404)
    return milestone_id
