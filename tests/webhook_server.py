"""A real HTTP server on loopback for tests: receives webhook posts, scripted to misbehave.

Free of pytest, like ``smtp_server``::

    server = WebhookServer()
    server.start()
    url = server.url("hook")          # json://127.0.0.1:PORT/hook, for Apprise
    ...
    server.stop()

It records every post it accepts (path and JSON body), answers the next
posts with the statuses queued in ``answers`` (a 500, a 404, …) before
accepting again, and can stop and start again on the same port.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    body: dict
    status: int  # what the server answered

    @property
    def title(self) -> str:
        return self.body.get("title", "")

    @property
    def message(self) -> str:
        return self.body.get("message", "")


class WebhookServer:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        with socket.socket() as probe:  # a free port, kept across restarts
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]
        self.answers: list[int] = []
        self.received: list[Received] = []  # every post, accepted or not
        self._server: ThreadingHTTPServer | None = None

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if r.status < 300]

    def url(self, path: str) -> str:
        return f"json://{self.host}:{self.port}/{path}"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = owner.answers.pop(0) if owner.answers else 200
                owner.received.append(Received(self.path, json.loads(data or b"{}"), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # quiet
                pass

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def stop(self) -> None:
        """Stop and close the socket: a post now meets a refused connection."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
