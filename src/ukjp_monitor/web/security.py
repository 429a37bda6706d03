"""Every response's security headers, and the token rule (DESIGN §13).

``Guard`` wraps the whole app (outside Starlette's own error handling), so
the headers are on every response, errors included. With a token set, every
route but ``/healthz`` needs ``Authorization: Bearer TOKEN`` or
``?token=TOKEN`` (calendar apps can only do the latter); otherwise 401.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Nothing runs on the page and nothing loads from elsewhere: one stylesheet
#: from the app itself, SVG drawn inline, forms back to the app.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
#: Routes anyone may ask for: an outside monitor's probe carries no token.
OPEN = ("/healthz",)


def presented_token(scope: Scope) -> str | None:
    """The token a request carries: its bearer header, else ``?token=``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return credentials.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    return tokens[-1] if tokens else None


class Guard:
    def __init__(self, app: ASGIApp, *, token: str | None):
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *HEADERS]}
            await send(message)

        if self.token is not None and scope["path"] not in OPEN and not self._allowed(scope):
            await _unauthorised(scope, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _allowed(self, scope: Scope) -> bool:
        given = presented_token(scope)
        assert self.token is not None
        return given is not None and secrets.compare_digest(given.encode(), self.token.encode())


async def _unauthorised(scope: Scope, send: Send) -> None:
    sentence = (
        "this status page needs its token: send 'Authorization: Bearer TOKEN' "
        "or add ?token=TOKEN to the address"
    )
    if scope["path"].startswith("/api/"):
        body, kind = json.dumps({"error": sentence}).encode(), b"application/json"
    else:
        body, kind = (sentence + "\n").encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b'Bearer realm="ukjp-monitor"'),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
