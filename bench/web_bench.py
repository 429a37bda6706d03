"""The status page under load from a loopback client, beside `status --format json`.

    python bench/web_bench.py                      # N = 10,000 and 100,000, SQLite
    python bench/web_bench.py --sizes 10000 --backend postgresql

For each N: a generated portfolio (bench/generate.py) synced into a fresh
database; `ukjp-monitor status --format json` timed as a whole process
(median of K); then `ukjp-monitor web` on a loopback port, and one client
(keep-alive, one request at a time) asking for the overview (`/`) and for
`/api/milestones` R times each after one untimed warm-up request: requests
per second and the median and 95th-percentile latency. The target: the JSON
route's median within 1.5× of `status --format json`'s own time for the same
rows. Every loop is bounded in count and time, and only 127.0.0.1 is
contacted. Results go to bench/results/web.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import AS_OF, write_config  # noqa: E402

MONITOR = [sys.executable, "-m", "ukjp_monitor"]
NOW = f"{AS_OF.isoformat()}T12:00:00+00:00"
ROUTES = ("/", f"/api/milestones?as_of={AS_OF.isoformat()}")
#: At most this long on one route of one size, however many requests are left.
ROUTE_BUDGET_S = 180.0
TARGET = 1.5
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def environment(work: Path, db: str, cfg: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UKJP_", "PREFECT_"))}
    env.update(
        UKJP_DATABASE_URL=db,
        UKJP_CONFIG_DIR=str(cfg),
        UKJP_OUTBOX_DIR=str(work / "outbox"),
        UKJP_ACTOR="bench",
        UKJP_NOW=NOW,
    )
    return env


def fresh_database(backend: str, work: Path, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / f'web-n{n}.db'}"
    name = f"ukjp_web_bench_{n}"
    _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        _postgres(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _postgres(*statements: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def time_status(env: dict[str, str], k: int) -> list[float]:
    times = []
    for _ in range(k):
        start = time.perf_counter()
        subprocess.run(
            [*MONITOR, "status", "--format", "json", "--as-of", AS_OF.isoformat()],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return times


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_page(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    page = subprocess.Popen(
        [*MONITOR, "web", "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return page, port
        except OSError:
            time.sleep(0.1)
    page.kill()
    raise SystemExit("the status page did not start")


def load(port: int, path: str, requests: int) -> dict[str, float]:
    """``requests`` GETs of ``path``, one at a time over one connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    latencies, size = [], 0

    def get() -> float:
        nonlocal size
        start = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {body[:200]!r}")
        size = len(body)
        return time.perf_counter() - start

    get()  # warm-up: the first request opens the database and compiles templates
    began = time.perf_counter()
    while len(latencies) < requests and time.perf_counter() - began < ROUTE_BUDGET_S:
        latencies.append(get())
    total = time.perf_counter() - began
    conn.close()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / total,
        "median_s": statistics.median(latencies),
        "p95_s": p95,
        "bytes": size,
    }


def bench_size(backend: str, work: Path, n: int, requests: int, k: int) -> dict:
    cfg = write_config(work / f"config-n{n}", n, 1)
    database = fresh_database(backend, work, n)
    env = environment(work, database, cfg)
    try:
        subprocess.run([*MONITOR, "sync"], env=env, check=True, stdout=subprocess.DEVNULL)
        status = time_status(env, k)
        page, port = start_page(env)
        try:
            routes = {path: load(port, path, requests) for path in ROUTES}
        finally:
            page.terminate()
            page.wait(timeout=30)
    finally:
        drop_database(database)
    status_s = statistics.median(status)
    api = routes[ROUTES[1]]
    return {
        "backend": backend,
        "n": n,
        "status_json_s": status_s,
        "routes": routes,
        "api_over_status": api["median_s"] / status_s,
        "target_met": api["median_s"] <= TARGET * status_s,
    }


def table(results: list[dict]) -> str:
    lines = [
        "| backend | N | route | requests/s | median | p95 | body | `status` JSON | ratio |",
        "|---|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        for path, m in r["routes"].items():
            api = path.startswith("/api/")
            lines.append(
                f"| {r['backend']} | {r['n']:,} | `{path.split('?')[0]}` | "
                f"{m['per_second']:.2f} | {m['median_s'] * 1000:,.0f} ms | "
                f"{m['p95_s'] * 1000:,.0f} ms | {m['bytes'] / 1e6:.1f} MB | "
                f"{r['status_json_s'] * 1000:,.0f} ms | "
                + (f"{r['api_over_status']:.2f}×" if api else "")
                + " |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=20, help="per route and size")
    parser.add_argument("-k", type=int, default=3, help="runs of status --format json")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "web.json")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ukjp-web-bench-"))
    try:
        results = []
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"N = {n:,} ({args.backend})", flush=True)
            results.append(bench_size(args.backend, work, n, args.requests, args.k))
            print(table(results[-1:]), flush=True)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(table(results))
        return 0 if all(r["target_met"] for r in results) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
