"""Which settings a flow run uses: ``serve``'s own, or the environment's.

``serve`` runs the flows in its own process and hands them its settings
(its ``--db`` and ``--config-dir``) through a context variable rather than
the process environment; a flow on a Prefect worker finds none set and reads
the environment (DESIGN §8).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ukjp_monitor.settings import Settings

#: The settings that flows started in this context use (``serve`` sets them);
#: a flow on a Prefect worker finds none and reads the environment.
_FLOW_SETTINGS: ContextVar[Settings | None] = ContextVar("flow_settings", default=None)


@contextmanager
def flows_use(settings: Settings) -> Iterator[None]:
    """Flows run inside the block take ``settings`` instead of the environment."""
    token = _FLOW_SETTINGS.set(settings)
    try:
        yield
    finally:
        _FLOW_SETTINGS.reset(token)


def flow_settings() -> Settings:
    """The settings for a flow run: serve's, or else the environment's (DESIGN §8)."""
    return _FLOW_SETTINGS.get() or Settings.from_env()
