"""The one place where tests set up databases, configuration and the CLI.

Every test that takes ``database_url`` runs twice: on a SQLite file of its
own and on the local PostgreSQL server. PostgreSQL gets one database per test
run (dropped at the end), with the schema emptied before each test.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from smtp_server import SmtpServer
from ukjp_monitor.cli import main
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.settings import Settings
from webhook_server import WebhookServer

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = ROOT / "config"
POSTGRES_ADMIN_URL = os.environ.get(
    "UKJP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: The moment the tests pretend it is (a Tuesday), noon in London. Every
#: test runs at this moment whatever the wall clock says: "future" and "past"
#: in a test are counted from it.
TODAY = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class Clock:
    """The one clock (DESIGN §11), pinned for a test and moved by hand.

    Setting ``now`` moves it for in-process calls (through ``settings``) and
    for every CLI call and subprocess the test starts (through ``UKJP_NOW``).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime = TODAY):
        self._monkeypatch = monkeypatch
        self.now = now

    @property
    def now(self) -> datetime:
        return self._now

    @now.setter
    def now(self, moment: datetime) -> None:
        self._now = moment
        self._monkeypatch.setenv("UKJP_NOW", moment.isoformat())

    def __call__(self) -> datetime:
        return self._now


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wall-clock",
        metavar="WHEN",
        help="Run the suite with the wall clock moved to WHEN (an ISO instant, "
        "such as 2033-06-01T23:45:00+00:00), here and in every process a test "
        "starts; the results must not change (make test-clock).",
    )


def pytest_configure(config: pytest.Config) -> None:
    when = config.getoption("--wall-clock")
    if not when:
        return
    import time_machine

    # Ticking, so timeouts and sleeps behave; subprocesses move through
    # tests/wall_clock/sitecustomize.py.
    travel = time_machine.travel(datetime.fromisoformat(when), tick=True)
    travel.start()
    config.add_cleanup(travel.stop)
    os.environ["TEST_WALL_CLOCK"] = when
    here = str(Path(__file__).parent / "wall_clock")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))


def pytest_report_header(config: pytest.Config) -> str | None:
    when = config.getoption("--wall-clock")
    return f"wall clock moved to {when}; the monitor's clock is pinned to {TODAY}" if when else None


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No UKJP_* setting from the developer's shell leaks into a test, nor a
    terminal size (pytest-xdist's workers are given COLUMNS=80 and LINES=24),
    and nothing a test does lands in the working directory."""
    for name in list(os.environ):
        if name.startswith("UKJP_") or name in ("COLUMNS", "LINES"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("UKJP_ACTOR", "tester")
    monkeypatch.setenv("UKJP_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("UKJP_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    """Every test runs at ``TODAY``, in-process and in the processes it starts."""
    return Clock(monkeypatch)


@pytest.fixture(scope="session")
def postgres_url():
    """A database of this test run's own on the local server, dropped after."""
    name = f"ukjp_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def config_dir(tmp_path) -> Path:
    """A private copy of the shipped configuration, free to edit."""
    target = tmp_path / "config"
    shutil.copytree(SHIPPED_CONFIG, target)
    return target


@pytest.fixture
def settings(database_url, config_dir, tmp_path, clock) -> Settings:
    return Settings(
        database_url=database_url,
        config_dir=config_dir,
        outbox_dir=tmp_path / "outbox",
        actor="tester",
        clock=clock,
    )


@pytest.fixture
def monitor(settings):
    m = Monitor(settings)
    yield m
    m.close()


@pytest.fixture
def synced_monitor(monitor):
    """The monitor with the shipped programme synced into its database."""
    monitor.sync()
    return monitor


@pytest.fixture
def web_client(synced_monitor, settings):
    """The status page in-process (Starlette's test client), over the synced database."""
    from starlette.testclient import TestClient

    from ukjp_monitor.web.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@dataclass
class Result:
    exit_status: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, settings) -> Callable[..., Result]:
    """Run ``ukjp-monitor ARGS`` in-process against the test's database and config."""

    def run(*args: str, db: bool = True) -> Result:
        argv = [str(a) for a in args]
        if db and argv and not argv[0].startswith("-"):
            argv += ["--db", settings.database_url, "--config-dir", str(settings.config_dir)]
        capsys.readouterr()
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:
            code = 0
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, to show that something changed nothing."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type='table'"
                        if engine.dialect.name == "sqlite"
                        else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    )
                )
            ]
            return {
                t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
                for t in sorted(tables)
            }
    finally:
        engine.dispose()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback, stopped after the test."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook():
    """A real HTTP server on loopback receiving webhook posts, stopped after the test."""
    server = WebhookServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(smtp_server, tmp_path, clock) -> Settings:
    """Settings that send to ``smtp_server`` over a plain connection."""
    return Settings(outbox_dir=tmp_path / "outbox", clock=clock, **smtp_server.smtp_settings())


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server (SQLite) for every flow test in the run.

    Starting it costs seconds, so once per session; Prefect is imported here
    so that tests which never run a flow never import it.
    """
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DO_NOT_TRACK", "1")  # before Prefect is imported, as serve does
        from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
        from prefect.testing.utilities import prefect_test_harness

        from ukjp_monitor.jobs.scheduler import prefect_settings

        # A flow run waits up to a second for its heartbeat thread on exit;
        # short test runs need no heartbeats.
        quiet = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        # serve's settings (no telemetry) for the flows and the harness's server.
        with temporary_settings(quiet), prefect_settings(), prefect_test_harness():
            yield
