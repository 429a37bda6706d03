"""Which settings the status page uses: those of the command that started it,
or the environment's.

``web`` and ``serve --web`` start the app through uvicorn by its import
string (``ukjp_monitor.web.app:create_app``, a factory), which is also how a
deployment behind a reverse proxy runs it (``uvicorn --factory …``). The
factory takes no arguments, so the command hands it its settings (its
``--db`` and ``--config-dir``) through a context variable; started by uvicorn
itself, it finds none and reads the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ukjp_monitor.settings import Settings

#: The import string uvicorn loads the status page by (a factory).
APP = "ukjp_monitor.web.app:create_app"

_WEB_SETTINGS: ContextVar[Settings | None] = ContextVar("web_settings", default=None)


@contextmanager
def web_uses(settings: Settings) -> Iterator[None]:
    """The status page built inside the block takes ``settings``."""
    token = _WEB_SETTINGS.set(settings)
    try:
        yield
    finally:
        _WEB_SETTINGS.reset(token)


def web_settings() -> Settings:
    """The settings for the status page: its command's, or else the environment's."""
    return _WEB_SETTINGS.get() or Settings.from_env()


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_exposure(settings: Settings, host: str, *, public: bool) -> None:
    """InputError (exit 2) for a page open to the network with no token, unless ``public``."""
    from ukjp_monitor.errors import InputError

    if settings.web_token is None and not public and not is_loopback(host):
        raise InputError(
            f"without UKJP_WEB_TOKEN the status page listens on loopback only, not {host}; "
            "set UKJP_WEB_TOKEN, or give --public to show it to anyone who can reach it"
        )
