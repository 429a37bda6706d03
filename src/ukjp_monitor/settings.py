"""Settings from the environment: the only module that reads it, and the one clock.

See README.md, "Environment", for the variables. Command-line options
(``--db``, ``--config-dir``) override them; tests override them in one place,
the ``settings`` fixture.

Every "now" in the monitor comes from ``Settings.clock`` (DESIGN §11). It is
the wall clock unless ``UKJP_NOW`` pins it to one instant: then a command, a
flow run or ``serve`` sees that moment whenever it reads the time, and
behaves as it would then (the test suite runs every process this way).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ukjp_monitor.errors import InputError

DEFAULT_DATABASE = "ukjp-monitor.db"
SECURITY_MODES = ("starttls", "ssl", "none")

#: What every "now" is read from: an aware datetime (UTC).
Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """The real time, in UTC: the only read of the wall clock in the monitor."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class PinnedClock:
    """A clock that always reads ``instant`` (``UKJP_NOW``).

    Stopped rather than running on from the instant: successive commands
    pinned to one moment must not appear to happen in reverse order.
    """

    instant: datetime

    def __call__(self) -> datetime:
        return self.instant


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE
    config_dir: Path = Path("config")
    outbox_dir: Path = Path("outbox")
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_timeout: float = 30.0
    actor: str | None = None
    templates_dir: Path | None = None
    web_token: str | None = field(default=None, repr=False)  # the status page's, if any
    clock: Clock = field(default=wall_clock, compare=False)
    #: Where a channel URL's ``${VAR}`` references are looked up when a
    #: message goes (never before, and never kept): the process's
    #: environment as it is at that moment.
    environ: Mapping[str, str] = field(
        default_factory=lambda: os.environ, repr=False, compare=False
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``UKJP_*`` variables; InputError names a variable that is wrong."""
        env = os.environ if environ is None else environ
        security = env.get("UKJP_SMTP_SECURITY", "starttls").strip().lower()
        if security not in SECURITY_MODES:
            raise InputError(
                f"UKJP_SMTP_SECURITY is {security!r}; use one of {', '.join(SECURITY_MODES)}"
            )
        return cls(
            database_url=env.get("UKJP_DATABASE_URL") or DEFAULT_DATABASE,
            config_dir=Path(env.get("UKJP_CONFIG_DIR") or "config"),
            outbox_dir=Path(env.get("UKJP_OUTBOX_DIR") or "outbox"),
            smtp_host=env.get("UKJP_SMTP_HOST") or None,
            smtp_port=_number(env, "UKJP_SMTP_PORT", 587, int),
            smtp_security=security,
            smtp_username=env.get("UKJP_SMTP_USERNAME") or None,
            smtp_password=env.get("UKJP_SMTP_PASSWORD") or None,
            smtp_timeout=_number(env, "UKJP_SMTP_TIMEOUT", 30.0, float),
            actor=env.get("UKJP_ACTOR") or _login_name(),
            templates_dir=Path(env["UKJP_TEMPLATES_DIR"])
            if env.get("UKJP_TEMPLATES_DIR")
            else None,
            web_token=env.get("UKJP_WEB_TOKEN") or None,
            clock=_clock(env.get("UKJP_NOW")),
            environ=env,
        )

    def but(self, **changes) -> Settings:
        """A copy with some settings replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _number(env: Mapping[str, str], name: str, default, kind):
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise InputError(f"{name} is {raw!r}; it must be a positive number")
    return value


def _clock(pinned: str | None) -> Clock:
    if not pinned:
        return wall_clock
    try:
        start = datetime.fromisoformat(pinned.strip())
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise InputError(
            f"UKJP_NOW is {pinned!r}; give an instant with its offset, "
            "such as 2026-11-24T12:00:00+00:00"
        )
    return PinnedClock(start.astimezone(UTC))


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
