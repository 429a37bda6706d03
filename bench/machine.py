"""What the benchmark ran on: stated beside every result."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


def _postgres() -> str:
    try:
        import psycopg
        from backends import PG_ADMIN

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # the table still says what it could not find
        return f"unavailable ({type(exc).__name__})"


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "?"


def describe() -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(_ram_gb(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres(),
        "sqlalchemy": _version("sqlalchemy"),
        "psycopg": _version("psycopg"),
        "prefect": _version("prefect"),
        "ukjp_monitor_commit": _git_head(),
    }


def _git_head() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=os.path.dirname(__file__),
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "flows"],
            capture_output=True,
            text=True,
            cwd=os.path.dirname(__file__),
        ).stdout.strip()
        return head + (" (+ uncommitted changes in src/ or flows/)" if dirty else "")
    except OSError:
        return "?"


def markdown(m: dict) -> str:
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}; "
        f"Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}, "
        f"SQLAlchemy {m['sqlalchemy']}, psycopg {m['psycopg']}, Prefect {m['prefect']}; "
        f"ukjp-monitor at {m['ukjp_monitor_commit']}"
    )
