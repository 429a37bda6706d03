"""Databases, the SMTP sink and the Prefect server the benchmark runs against.

SQLite: files under the work folder; a fresh copy is a file copy.
PostgreSQL: databases named ukjp_bench_<pid>_* on the local server; a fresh
copy is CREATE DATABASE … TEMPLATE; every one is dropped when the benchmark
ends (atexit), so the server is left as it was found.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PY = sys.executable
PG_ADMIN = os.environ.get("UKJP_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BASE = PG_ADMIN.rsplit("/", 1)[0]
COLUMNS = (
    "id",
    "title",
    "workstream",
    "target",
    "forecast",
    "window_start",
    "window_end",
    "completed_on",
    "cancelled_on",
    "lead_days",
    "owner",
    "depends_on",
)

_templates: dict[tuple, Db] = {}  # synced databases, built once per benchmark run
_floors: dict[tuple, Floor] = {}
_pg_created: set[str] = set()


@dataclass(frozen=True)
class Db:
    url: str  # what UKJP_DATABASE_URL gets
    name: str  # file path (SQLite) or database name (PostgreSQL)


@dataclass(frozen=True)
class Floor:
    sqlalchemy_url: str
    driver_target: str
    name: str


def floor_rows(cfg: Path) -> list[tuple]:
    """The 12-column rows the floors read: the milestones as the config has them."""
    with open(cfg / "milestones.yaml") as f:
        plan = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    rows = []
    for m in plan["milestones"]:
        target = m.get("target")
        target = str(target) if target is not None else None
        rows.append(
            (
                m["id"],
                m["title"],
                m["workstream"],
                target,
                None,
                "2026-01-01" if target else None,
                "2026-12-31" if target else None,
                str(m["completed_on"]) if m.get("completed_on") else None,
                None,
                m.get("lead_days", 30),
                m.get("owner"),
                ",".join(m.get("depends_on", [])),
            )
        )
    return rows


class Backend:
    name = driver = ""

    def __init__(self, work: Path) -> None:
        self.work = work

    def synced(self, cfg: Path, envfn, n: int, *, check: bool) -> Db:
        """A database synced with cfg (and checked as of AS_OF if asked), built once."""
        from generate import AS_OF

        key = (self.name, cfg.name, check)
        if key not in _templates:
            db = self.empty(f"tmpl_{cfg.name}_{int(check)}".replace("-", "_"), keep=True)
            env = envfn(db, cfg)
            _run([PY, "-m", "ukjp_monitor", "sync"], env)
            if check:
                _run([PY, "-m", "ukjp_monitor", "check", "--as-of", AS_OF.isoformat()], env)
            _templates[key] = db
        return _templates[key]

    def schema_only(self) -> Db:
        """A database with the monitor's schema and nothing in it, built once."""
        key = (self.name, "schema")
        if key not in _templates:
            db = self.empty("tmpl_schema", keep=True)
            code = f"from ukjp_monitor.store.db import open_database; open_database({db.url!r})"
            _run([PY, "-c", code], dict(os.environ))
            _templates[key] = db
        return _templates[key]

    def cleanup(self) -> None:
        """After a scenario: nothing by default (templates live until the end)."""

    def size(self, db: Db) -> int:
        """Size on disk in bytes (SQLite: file + WAL; PostgreSQL: pg_database_size)."""
        raise NotImplementedError

    def count(self, db: Db, table: str) -> int:
        """Rows in one of the monitor's tables."""
        raise NotImplementedError


class Sqlite(Backend):
    name = driver = "sqlite"

    def _path(self, tag: str) -> Path:
        folder = self.work / "sqlite"
        folder.mkdir(exist_ok=True)
        return folder / f"{tag}.db"

    def _clear(self, path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def empty(self, tag: str, keep: bool = False) -> Db:
        path = self._path(tag)
        self._clear(path)
        return Db(f"sqlite:///{path}", str(path))

    def copy(self, template: Db, tag: str) -> Db:
        path = self._path(tag)
        self._clear(path)
        for suffix in ("", "-wal"):
            if Path(template.name + suffix).exists():
                shutil.copyfile(template.name + suffix, f"{path}{suffix}")
        return Db(f"sqlite:///{path}", str(path))

    def size(self, db: Db) -> int:
        return sum(
            Path(f"{db.name}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{db.name}{suffix}").exists()
        )

    def count(self, db: Db, table: str) -> int:
        import sqlite3

        conn = sqlite3.connect(db.name)
        try:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            conn.close()

    def floor_table(self, cfg: Path, n: int) -> Floor:
        import sqlite3

        key = (self.name, cfg.name)
        if key not in _floors:
            path = self._path(f"floor_{cfg.name}".replace("-", "_"))
            self._clear(path)
            conn = sqlite3.connect(path)
            cols = ", ".join(f"{c} {'INTEGER' if c == 'lead_days' else 'TEXT'}" for c in COLUMNS)
            conn.execute(
                f"CREATE TABLE floor_rows ({cols.replace('id TEXT', 'id TEXT PRIMARY KEY', 1)})"
            )
            conn.execute(f"CREATE TABLE floor_copy ({cols})")
            conn.executemany(
                f"INSERT INTO floor_rows VALUES ({', '.join('?' * 12)})", floor_rows(cfg)
            )
            conn.commit()
            conn.close()
            _floors[key] = Floor(f"sqlite:///{path}", str(path), str(path))
        return _floors[key]

    def reset_floor_copy(self, floor: Floor) -> None:
        import sqlite3

        conn = sqlite3.connect(floor.name)
        conn.execute("DELETE FROM floor_copy")
        conn.commit()
        conn.execute("VACUUM")
        conn.close()


class Postgres(Backend):
    name = driver = "postgresql"

    def _dbname(self, tag: str) -> str:
        return f"ukjp_bench_{os.getpid()}_{tag}".lower()[:63]

    def empty(self, tag: str, keep: bool = False) -> Db:
        name = self._dbname(tag)
        _admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        _pg_created.add(name)
        return Db(f"{PG_BASE}/{name}", name)

    def copy(self, template: Db, tag: str) -> Db:
        name = self._dbname(tag)
        _admin(
            f'DROP DATABASE IF EXISTS "{name}"',
            f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"',
        )
        _pg_created.add(name)
        return Db(f"{PG_BASE}/{name}", name)

    def size(self, db: Db) -> int:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            return conn.execute("SELECT pg_database_size(%s)", (db.name,)).fetchone()[0]

    def count(self, db: Db, table: str) -> int:
        import psycopg

        with psycopg.connect(db.url, autocommit=True) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def floor_table(self, cfg: Path, n: int) -> Floor:
        import psycopg

        key = (self.name, cfg.name)
        if key not in _floors:
            db = self.empty(f"floor_{cfg.name}".replace("-", "_"))
            cols = ", ".join(f"{c} {'integer' if c == 'lead_days' else 'text'}" for c in COLUMNS)
            with psycopg.connect(f"{PG_BASE}/{db.name}") as conn:
                conn.execute(
                    f"CREATE TABLE floor_rows ({cols.replace('id text', 'id text PRIMARY KEY', 1)})"
                )
                conn.execute(f"CREATE TABLE floor_copy ({cols})")
                with conn.cursor().copy(f"COPY floor_rows ({', '.join(COLUMNS)}) FROM STDIN") as cp:
                    for row in floor_rows(cfg):
                        cp.write_row(row)
                conn.execute("ANALYZE floor_rows")
            url = f"{PG_BASE}/{db.name}"
            _floors[key] = Floor(
                url.replace("postgresql://", "postgresql+psycopg://"), url, db.name
            )
        return _floors[key]

    def reset_floor_copy(self, floor: Floor) -> None:
        import psycopg

        with psycopg.connect(floor.driver_target, autocommit=True) as conn:
            conn.execute("TRUNCATE floor_copy")
            conn.execute("VACUUM floor_copy")


def make(name: str, work: Path) -> Backend:
    return {"sqlite": Sqlite, "postgresql": Postgres}[name](work)


def _admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@atexit.register
def _drop_all() -> None:
    if not _pg_created:
        return
    for name in sorted(_pg_created):
        try:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # report, but drop the others
            print(f"could not drop {name}: {exc}", file=sys.stderr)
    _pg_created.clear()


def _run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        raise RuntimeError(f"setup failed ({' '.join(cmd[2:])}): {done.stderr.strip()[-1500:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """bench/smtp_sink.py in a process of its own; .count after the with-block."""

    def __init__(self, save: Path | None) -> None:
        self.save = save
        self.count = -1

    def __enter__(self) -> SmtpSink:
        cmd = [PY, str(HERE / "smtp_sink.py")] + (["--save", str(self.save)] if self.save else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError(f"SMTP sink did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        for line in out.splitlines():
            if line.startswith("COUNT"):
                self.count = int(line.split()[1])


class PrefectServer:
    """One `prefect server start` for the whole benchmark, with a temporary PREFECT_HOME."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        return {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": f"http://127.0.0.1:{self.port}/api",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }

    def start(self) -> PrefectServer:
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        env = {**os.environ, **self.env(), "PREFECT_UI_ENABLED": "false"}
        env.pop("PREFECT_API_URL")
        self.log = open(self.home / "server.log", "w")  # noqa: SIM115 (open while the server runs)
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.env()["PREFECT_API_URL"] + "/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"prefect server did not start; see {self.home / 'server.log'}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
