"""The scale-out path end to end: a real Prefect server on PostgreSQL, the
deployments from prefect.yaml, a process worker, and mail at a real server.

Slow (about half a minute): it starts two Prefect processes. Everything it
starts it stops, and the databases it creates it drops.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conftest import POSTGRES_ADMIN_URL, ROOT, TODAY
from phone_home import calls_home, watch
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.settings import Settings
from ukjp_monitor.store.runs import latest

PREFECT = str(Path(sys.executable).with_name("prefect"))
PMO, LEAD = "pmo@example.org", "life-sciences-lead@example.org"
PARTNER = "jst-quantum@example.org"


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A database of its own on the local server (its name), dropped after."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prefect_environment(tmp_path: Path, database: str, port: int) -> dict[str, str]:
    """Prefect confined to loopback and tmp_path: no telemetry (as the README
    has it, and watched: see ``phone_home``), no UI, fast polling."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "UKJP_"))}
    env = watch(tmp_path / "watch", env)
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=database)
    return env | {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_DATABASE_CONNECTION_URL": url.render_as_string(hide_password=False),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_CLI_PROMPT": "false",
        "NO_COLOR": "1",
    }


def wait_until_healthy(api_url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "prefect server exited early"
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if json.load(response) is True:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"prefect server not healthy within {timeout} s")


def prefect(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    """A long-running prefect command in its own process group, logging to ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(
            [PREFECT, *args],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen | None, timeout: float = 10) -> float:
    """SIGTERM to the prefect command alone, as systemd's KillMode=mixed does;
    the seconds it took to exit. A worker then terminates its flow runs and a
    server its web server itself: SIGTERM to the whole group would signal
    those twice. Whatever is left of the group after ``timeout`` is killed.
    """
    if process is None:
        return 0.0
    began = time.monotonic()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    took = time.monotonic() - began
    with suppress(ProcessLookupError):  # stragglers: the group outlives its leader
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return took


def api(api_url: str, path: str) -> dict:
    with urllib.request.urlopen(f"{api_url}{path}", timeout=5) as response:
        return json.load(response)


def wait_for_final_state(api_url: str, flow_run_id: str, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api(api_url, f"/flow_runs/{flow_run_id}")["state"]
        if state and state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return state["type"]
        time.sleep(0.5)
    raise AssertionError(f"flow run {flow_run_id} not finished within {timeout} s")


def wait_for_pool(api_url: str, name: str, worker: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, "prefect worker exited early"
        try:
            api(api_url, f"/work_pools/{name}")
            return
        except urllib.error.HTTPError:
            time.sleep(0.25)
    raise AssertionError(f"work pool {name} not created within {timeout} s")


def monitor_environment(database_url, config_dir, tmp_path, smtp_server) -> dict[str, str]:
    return {
        "UKJP_NOW": TODAY.isoformat(),
        "UKJP_DATABASE_URL": database_url,
        "UKJP_CONFIG_DIR": str(config_dir),
        "UKJP_OUTBOX_DIR": str(tmp_path / "outbox"),
        "UKJP_SMTP_HOST": smtp_server.host,
        "UKJP_SMTP_PORT": str(smtp_server.port),
        "UKJP_SMTP_SECURITY": "none",
        "UKJP_SMTP_TIMEOUT": "5",
    }


@pytest.mark.slow
def test_a_worker_runs_the_deployed_digest_and_the_mail_arrives(tmp_path, config_dir, smtp_server):
    server = worker = None
    with postgres_database("ukjp_prefect") as prefect_db, postgres_database("ukjp_e2e") as db:
        database_url = make_url(POSTGRES_ADMIN_URL).set(database=db)
        database_url = database_url.render_as_string(hide_password=False)
        settings = monitor_environment(database_url, config_dir, tmp_path, smtp_server)
        monitor = Monitor(Settings.from_env(settings))
        monitor.sync()
        env = prefect_environment(tmp_path, prefect_db, free_port())
        try:
            server = start(env, tmp_path / "server.log", "server", "start", "--no-services")
            wait_until_healthy(env["PREFECT_API_URL"], server)
            # The worker creates its pool from Prefect's own process template;
            # `prefect work-pool create` would have the server look the type up
            # on GitHub first. The worker's clock is the test's (UKJP_NOW): a
            # process worker passes its environment on to the flow runs.
            worker = start(
                env | {"UKJP_NOW": settings["UKJP_NOW"]},
                tmp_path / "worker.log",
                *("worker", "start", "--pool", "ukjp-monitor", "--type", "process"),
            )
            wait_for_pool(env["PREFECT_API_URL"], "ukjp-monitor", worker)
            # The settings travel with the deployment: the worker has none of its own.
            prefect(env | settings, "deploy", "--all")
            out = prefect(
                env,
                "deployment",
                "run",
                "weekly-digest/weekly-digest",
                "--params",
                '{"as_of": "2026-11-24"}',
            )
            flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", out)[1]
            final = wait_for_final_state(env["PREFECT_API_URL"], flow_run_id)
            assert final == "COMPLETED", (tmp_path / "worker.log").read_text()
            served = api(env["PREFECT_API_URL"], "/admin/settings")
            assert served["server"]["analytics_enabled"] is False
            worker_stopped_in = stop(worker)
            assert worker.returncode == 0, (tmp_path / "worker.log").read_text()
            assert worker_stopped_in < 5  # measured here: about 1 s, idle or mid-run
        finally:
            stop(worker)
            stop(server)
        logs = (tmp_path / "server.log").read_text() + (tmp_path / "worker.log").read_text()
        assert "telemetry" not in logs.lower()
        # Server, worker, deploy and flow run tried no other host than this one.
        assert calls_home(tmp_path / "watch") == []
        assert sorted(smtp_server.recipients()) == [PARTNER, LEAD, PMO]
        dates = {m.message["Date"].datetime for m in smtp_server.received}
        assert dates == {TODAY}  # the flow run kept to the pinned clock
        last = latest(monitor.engine)["digest"]
        assert (last.outcome, last.counts["sent"]) == ("completed", 3)
        monitor.close()
