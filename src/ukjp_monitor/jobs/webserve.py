"""Running the status page: in the foreground (``web``) or in a thread beside
the scheduler (``serve --web``), through uvicorn by its import string
(``webrun.APP``, a factory), with the starting command's settings.

uvicorn's access log is off: a calendar's address carries ``?token=``, and
tokens do not belong in logs.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ukjp_monitor.errors import OperationFailed
from ukjp_monitor.jobs.webrun import APP, web_uses
from ukjp_monitor.settings import Settings

#: How long the page may take to start listening before serve gives up.
START_TIMEOUT = 15.0


def _server(host: str, port: int):
    import uvicorn

    config = uvicorn.Config(
        APP, factory=True, host=host, port=port, access_log=False, log_level="info"
    )
    return uvicorn.Server(config)


def run_page(settings: Settings, *, host: str, port: int) -> None:
    """Serve the page until SIGINT or SIGTERM, then return (in the main thread)."""
    server = _server(host, port)
    with web_uses(settings), _quiet_after_shutdown():
        server.run()
    if not server.started:
        raise OperationFailed(f"the status page could not listen on {host}:{port}")


@contextmanager
def _quiet_after_shutdown() -> Iterator[None]:
    # uvicorn shuts down gracefully on SIGINT or SIGTERM, then raises the
    # signal again for the handler it found; this one lets the command end
    # with exit status 0 instead of dying of it.
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class PageThread:
    """The page in a thread of its own (``serve --web``); ``stop`` ends it."""

    def __init__(self, settings: Settings, *, host: str, port: int):
        self.settings, self.host, self.port = settings, host, port
        self.server = _server(host, port)
        self.thread = threading.Thread(target=self._run, name="status-page", daemon=True)

    def _run(self) -> None:
        # A new thread starts with empty context variables: set them here.
        with web_uses(self.settings):
            self.server.run()

    def start(self) -> None:
        """Start, and return once the page listens; OperationFailed if it cannot."""
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise OperationFailed(
                    f"the status page could not listen on {self.host}:{self.port}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
