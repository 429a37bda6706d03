"""Measure ukjp-monitor against the least the same work could cost.

    python bench/run.py                       # the full matrix (what `make bench` runs)
    python bench/run.py --quick               # N up to 10,000, K=3: a few minutes
    python bench/run.py --scenario status --backend sqlite --sizes 1000,10000
    python bench/run.py --profile sync --backend sqlite --sizes 100000
    python bench/run.py --funder --backend sqlite   # the funder's check and digest (issue 11)
    python bench/run.py --scenario import --sizes 1000,10000,100000   # sync from grants.csv
    python bench/run.py --scenario import-rows --sizes 100000   # the same, beside the schema's rows

Every figure is a whole process (subprocess, wall clock from spawn to exit,
peak RSS of the child from os.wait4), the median of K runs, and each
scenario's floor is measured in the same run, interleaved with it
(monitor, floor, monitor, floor…) so drift on the machine hits both alike.
Setup — generating the config, the initial sync before `check`, a fresh copy
of the database before every run that writes — happens outside the timed
region, for both sides. Results go to bench/results/ (results.json,
table.md, scaling.png); the table is printed too.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import backends  # noqa: E402
import machine  # noqa: E402
from generate import AS_OF, write_config  # noqa: E402

PY = sys.executable
MONITOR = [PY, "-m", "ukjp_monitor"]
#: The measured flow: flows/check.py as a worker would run it, as of AS_OF.
FLOW_CODE = (
    "from datetime import date; from flows.check import milestone_check; "
    f"milestone_check(as_of=date.fromisoformat('{AS_OF.isoformat()}'))"
)
RESULTS = HERE / "results"
SIZES = [100, 1_000, 10_000, 100_000]
#: The funder's scenarios run at a mid point and at the funder's size.
FUNDER_SIZES = [20_000, 100_000]
#: The status table from a programme office's size to a funder's.
TABLE_SIZES = [1_000, 10_000, 100_000]
DIGEST_RECIPIENTS = 1_000
#: Every message's ceiling on the wire (DESIGN §12; Gmail clips at about 102 KB).
MESSAGE_LIMIT = 100_000

# scenario: (headline N, target ratio or None, target text, floor description)
SCENARIOS = {
    "status": (
        10_000,
        1.5,
        "≤ 1.5× floor",
        "SQLAlchemy reads N rows of a 12-column table, prints JSON",
    ),
    "sync": (
        100_000,
        3.0,
        "≤ 3× floor, ≤ 300 MB",
        "driver reads N rows, inserts N rows, one transaction",
    ),
    # A funder's export (issue 14): sync of the same portfolio from grants.csv.
    "import": (
        100_000,
        3.0,
        "≤ 3× floor, ≤ 300 MB",
        "csv module reads grants.csv, driver inserts N rows, one transaction",
    ),
    # The same sync against a floor with the schema's work in it: the rows a
    # first sync writes (milestones, dependencies, an event each), into the
    # monitor's own tables, keys and indexes. No target: it shows what the
    # monitor adds to the driver's writing, and the import's target stays.
    "import-rows": (
        100_000,
        None,
        "none (for comparison)",
        "csv module reads grants.csv, driver writes the rows a first sync writes into the"
        " monitor's schema, one transaction",
    ),
    "check": (
        100_000,
        3.0,
        "≤ 3× floor, ≤ 300 MB",
        "driver reads N rows, inserts N rows, one transaction",
    ),
    "digest": (
        10_000,
        2.0,
        "≤ 2× floor",
        f"smtplib sends the same R={DIGEST_RECIPIENTS} messages over one connection",
    ),
    "flow": (10_000, 1.3, "adds ≤ 30% to no-op flow", "a no-op Prefect flow, same Prefect server"),
    # The status table for people (issue 14), streamed to a file, against the
    # same command's JSON: the table may cost formatting, not a second reading.
    "status-table": (
        100_000,
        2.0,
        "≤ 2× status --format json, peak memory ≤ json's",
        "status --format json, same database, same process start",
    ),
    # The history table (issue 14): sync's and check's 2N events, streamed to
    # a file, against the same command's JSON of the same events.
    "history-table": (
        100_000,
        2.0,
        "≤ 2× history --format json, peak memory ≤ json's",
        "history --format json, same database, same process start",
    ),
    # A funder (issue 11): the first check of N milestones for R recipients
    # who get mail, and the digest to R grant holders who each follow their own.
    "funder-check": (
        100_000,
        3.0,
        "≤ 3× floor, ≤ 500 MB, every message ≤ 100,000 bytes",
        "driver reads N rows, inserts N rows, then smtplib sends the same messages"
        " over one connection, one process",
    ),
    "funder-digest": (
        100_000,
        2.0,
        "≤ 2× floor, every message ≤ 100,000 bytes",
        f"smtplib sends the same R={DIGEST_RECIPIENTS} messages over one connection",
    ),
}
MEMORY_LIMIT_MB = {"sync": 300, "import": 300, "check": 300, "funder-check": 500}
FUNDER = ("funder-check", "funder-digest")
#: Tables whose rows a funder's run counts before and after (the ledger is deliveries).
COUNTED = ("deliveries", "transitions", "events")


@dataclass
class Sample:
    seconds: float
    max_rss_mb: float
    returncode: int


@dataclass
class Result:
    scenario: str
    backend: str
    n: int
    r: int
    k: int
    monitor: list[Sample] = field(default_factory=list)
    floor: list[Sample] = field(default_factory=list)
    note: str = ""
    #: What a funder's run leaves behind (messages, their sizes, rows, growth).
    stats: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.monitor) and all(s.returncode == 0 for s in self.monitor + self.floor)

    def median(self, side: str) -> float:
        return statistics.median(s.seconds for s in getattr(self, side))

    def peak(self, side: str) -> float:
        return max(s.max_rss_mb for s in getattr(self, side))


# -- running a process ---------------------------------------------------------


def timed(cmd: list[str], env: dict, *, cwd: Path = ROOT, stdout=None) -> Sample:
    """Run cmd to completion: wall time from fork to reaping, and the child's own peak RSS.

    bench/measure.py forks the child, so neither the runner's size nor its
    start-up leaks into the figures (see measure.py).
    """
    report = Path("/tmp") / f"ukjp-measure-{os.getpid()}.json"
    out = stdout if stdout is not None else subprocess.DEVNULL
    done = subprocess.run(
        [PY, str(HERE / "measure.py"), str(report), "--", *cmd],
        env=env,
        cwd=cwd,
        stdout=out,
        stderr=subprocess.PIPE,
    )
    m = json.loads(report.read_text())
    if m["returncode"] != 0 or done.returncode != 0:
        print(
            f"    ! exit {m['returncode']}: {' '.join(cmd)}\n{done.stderr.decode()[-2000:]}",
            file=sys.stderr,
        )
    return Sample(m["seconds"], m["max_rss_kb"] / 1024, m["returncode"])


def quiet(cmd: list[str], env: dict, *, cwd: Path = ROOT) -> str:
    """An untimed setup step; raises with its stderr when it fails."""
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"setup failed: {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return done.stdout


def _compile_sources() -> None:
    """Write the package's bytecode once, before anything is timed.

    The commands are measured as a user runs them: from bytecode, which a
    wheel install compiles and an editable install writes on its first run.
    base_env stops the timed runs writing any (PYTHONDONTWRITEBYTECODE), so
    without this step every run of an editable install would compile the
    package's hundred modules again: 0.2 s a run on this 2-core host.
    """
    compileall.compile_dir(HERE.parent / "src", quiet=1)


def base_env(work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UKJP_", "PREFECT_"))}
    env.update(
        UKJP_OUTBOX_DIR=str(work / "outbox"), UKJP_ACTOR="bench", PYTHONDONTWRITEBYTECODE="1"
    )
    return env


# -- the benchmark -------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.workdir).resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        self.results: list[Result] = []
        self.prefect: backends.PrefectServer | None = None

    def config(self, n: int, r: int) -> Path:
        return write_config(self.work / f"config-n{n}-r{r}", n, r)

    def env(self, db, cfg: Path, **extra) -> dict:
        env = base_env(self.work)
        env.update(UKJP_DATABASE_URL=db.url, UKJP_CONFIG_DIR=str(cfg), **extra)
        return env

    def mail_env(self, db, cfg: Path, sink: backends.SmtpSink) -> dict:
        """``env`` with mail going to ``sink`` in clear."""
        return self.env(
            db,
            cfg,
            UKJP_SMTP_HOST="127.0.0.1",
            UKJP_SMTP_PORT=str(sink.port),
            UKJP_SMTP_SECURITY="none",
        )

    def k_for(self, n: int) -> int:
        return self.args.k_large if n >= 100_000 else self.args.k

    def alternate(self, result: Result, run_monitor, run_floor, k: int, warmup: bool) -> None:
        """Monitor and floor in turn, K times each (plus an untimed warm-up each)."""
        if warmup:
            run_monitor()
            run_floor()
        for i in range(k):
            result.monitor.append(run_monitor())
            result.floor.append(run_floor())
            m, f = result.monitor[-1], result.floor[-1]
            print(
                f"    run {i + 1}/{k}: monitor {m.seconds:7.3f}s {m.max_rss_mb:6.0f} MB"
                f" | floor {f.seconds:7.3f}s {f.max_rss_mb:6.0f} MB",
                flush=True,
            )

    # Each scenario: set up (untimed), then alternate monitor and floor.

    def status(self, backend: backends.Backend, n: int) -> Result:
        cfg = self.config(n, 1)
        synced = backend.synced(cfg, self.env, n, check=False)
        floor_db = backend.floor_table(cfg, n)
        result = Result("status", backend.name, n, 1, self.k_for(n))
        sink = open(self.work / "stdout.json", "wb")  # noqa: SIM115
        cmd = [*MONITOR, "status", "--format", "json", "--as-of", AS_OF.isoformat()]
        floor = [PY, str(HERE / "floors" / "status_json.py"), floor_db.sqlalchemy_url]
        env = self.env(synced, cfg)
        self.alternate(
            result,
            lambda: timed(cmd, env, stdout=sink),
            lambda: timed(floor, env, stdout=sink),
            result.k,
            n < 100_000,
        )
        return result

    def status_table(self, backend: backends.Backend, n: int) -> Result:
        """``status`` (the table) to a file, against ``status --format json``
        to a file: its floor is the monitor's own reading and evaluation."""
        cfg = self.config(n, 1)
        synced = backend.synced(cfg, self.env, n, check=False)
        result = Result("status-table", backend.name, n, 1, self.k_for(n))
        table = [*MONITOR, "status", "--as-of", AS_OF.isoformat()]
        return self._against_json(result, table, self.env(synced, cfg), n)

    def history_table(self, backend: backends.Backend, n: int) -> Result:
        """``history`` (the table, 80 columns: stacked) to a file, against
        ``history --format json`` to a file, over a synced and checked database."""
        cfg = self.config(n, 1)
        synced = backend.synced(cfg, self.env, n, check=True)
        result = Result("history-table", backend.name, n, 1, self.k_for(n))
        env = {**self.env(synced, cfg), "COLUMNS": "80"}
        return self._against_json(result, [*MONITOR, "history"], env, n)

    def _against_json(self, result: Result, table: list[str], env: dict, n: int) -> Result:
        """``table`` (a command printing a table) to a file, alternating with
        the same command's ``--format json`` as its floor."""
        with open(self.work / "stdout.txt", "wb") as sink:
            self.alternate(
                result,
                lambda: timed(table, env, stdout=sink),
                lambda: timed([*table, "--format", "json"], env, stdout=sink),
                result.k,
                n < 100_000,
            )
        return result

    def _read_insert_floor(self, backend, cfg, n):
        floor_db = backend.floor_table(cfg, n)

        def run():
            backend.reset_floor_copy(floor_db)
            return timed(
                [
                    PY,
                    str(HERE / "floors" / "read_insert.py"),
                    backend.driver,
                    floor_db.driver_target,
                ],
                base_env(self.work),
            )

        return run

    def sync(self, backend: backends.Backend, n: int) -> Result:
        cfg = self.config(n, 1)
        result = Result("sync", backend.name, n, 1, self.k_for(n))
        floor = self._read_insert_floor(backend, cfg, n)

        def run():
            db = backend.empty(f"sync{n}")
            return timed([*MONITOR, "sync"], self.env(db, cfg))

        self.alternate(result, run, floor, result.k, n < 100_000)
        return result

    def import_(self, backend: backends.Backend, n: int) -> Result:
        """sync of the same N milestones from grants.csv (generate.py --csv), empty database."""
        cfg = write_config(self.work / f"config-n{n}-r1-csv", n, 1, csv=True)
        result = Result("import", backend.name, n, 1, self.k_for(n))
        # The floor inserts into the same 12-column table as sync's floor.
        floor_db = backend.floor_table(self.config(n, 1), n)
        floor = [PY, str(HERE / "floors" / "csv_insert.py"), backend.driver]
        floor += [floor_db.driver_target, str(cfg / "grants.csv")]

        def run_floor():
            backend.reset_floor_copy(floor_db)
            return timed(floor, base_env(self.work))

        def run():
            db = backend.empty(f"import{n}")
            return timed([*MONITOR, "sync"], self.env(db, cfg))

        self.alternate(result, run, run_floor, result.k, n < 100_000)
        return result

    def import_rows(self, backend: backends.Backend, n: int) -> Result:
        """The import scenario's sync, against floors/csv_schema_insert.py."""
        cfg = write_config(self.work / f"config-n{n}-r1-csv", n, 1, csv=True)
        result = Result("import-rows", backend.name, n, 1, self.k_for(n))
        schema = backend.schema_only()

        def run_floor():
            db = backend.copy(schema, f"importrows{n}")
            target = db.name if backend.name == "sqlite" else db.url
            floor = [PY, str(HERE / "floors" / "csv_schema_insert.py"), backend.driver, target]
            return timed([*floor, str(cfg / "grants.csv")], base_env(self.work))

        def run():
            db = backend.empty(f"import{n}")
            return timed([*MONITOR, "sync"], self.env(db, cfg))

        self.alternate(result, run, run_floor, result.k, n < 100_000)
        return result

    def check(self, backend: backends.Backend, n: int) -> Result:
        cfg = self.config(n, 1)
        synced = backend.synced(cfg, self.env, n, check=False)
        result = Result("check", backend.name, n, 1, self.k_for(n))
        floor = self._read_insert_floor(backend, cfg, n)
        cmd = [*MONITOR, "check", "--as-of", AS_OF.isoformat()]

        def run():
            db = backend.copy(synced, f"check{n}")
            return timed(cmd, self.env(db, cfg))

        self.alternate(result, run, floor, result.k, n < 100_000)
        return result

    def digest(self, backend: backends.Backend, n: int, *, owners: bool = False) -> Result:
        r = self.args.recipients
        cfg = (
            write_config(self.work / f"config-n{n}-r{r}-owners", n, r, owners=True)
            if owners
            else self.config(n, r)
        )
        synced = backend.synced(cfg, self.env, n, check=True)
        scenario = "funder-digest" if owners else "digest"
        result = Result(scenario, backend.name, n, r, self.k_for(n))
        cmd = [*MONITOR, "digest", "--send", "--as-of", AS_OF.isoformat()]
        saved = self.work / f"{scenario}-mail-{backend.name}-n{n}-r{r}"
        shutil.rmtree(saved, ignore_errors=True)
        counts: list[int] = []

        def run_monitor(save: Path | None = None):
            db = backend.copy(synced, f"digest{n}")  # a fresh ledger every run
            before = self.footprint(backend, db) if owners else None
            with backends.SmtpSink(save) as sink:
                sample = timed(cmd, self.mail_env(db, cfg, sink))
            counts.append(sink.count)
            if before is not None:
                result.stats.update(self.growth(backend, db, before))
            return sample

        def run_floor():
            with backends.SmtpSink(None) as sink:
                sample = timed(
                    [
                        PY,
                        str(HERE / "floors" / "smtp_send.py"),
                        "127.0.0.1",
                        str(sink.port),
                        str(saved),
                    ],
                    base_env(self.work),
                )
            if sink.count != r:
                result.note += f" floor sink counted {sink.count} != {r};"
            return sample

        run_monitor(saved)  # untimed: captures the very messages the floor resends
        if owners:
            result.stats.update(messages(saved))
        self.alternate(result, run_monitor, run_floor, result.k, False)
        bad = [c for c in counts if c != r]
        result.note += (
            f" sink counted {counts[-1]} messages per run"
            if not bad
            else f" SINK COUNT MISMATCH {bad} != {r};"
        )
        return result

    # -- a funder's size (issue 11) ------------------------------------------

    def footprint(self, backend: backends.Backend, db) -> dict:
        return {"bytes": backend.size(db), **{t: backend.count(db, t) for t in COUNTED}}

    def growth(self, backend: backends.Backend, db, before: dict) -> dict:
        """What one run added: database bytes and rows per counted table."""
        after = self.footprint(backend, db)
        return {
            "db_before_bytes": before["bytes"],
            "db_growth_bytes": after["bytes"] - before["bytes"],
            **{f"{t}_rows_written": after[t] - before[t] for t in COUNTED},
        }

    def funder_digest(self, backend: backends.Backend, n: int) -> Result:
        """digest --send to R grant holders, each following their own grants (owners:)."""
        return self.digest(backend, n, owners=True)

    def funder_check(self, backend: backends.Backend, n: int) -> Result:
        """The first check of N milestones for R recipients who get mail, over SMTP."""
        r = self.args.recipients
        cfg = self.config(n, r)
        synced = backend.synced(cfg, self.env, n, check=False)
        result = Result("funder-check", backend.name, n, r, self.k_for(n))
        floor_db = backend.floor_table(cfg, n)
        cmd = [*MONITOR, "check", "--as-of", AS_OF.isoformat()]
        saved = self.work / f"funder-check-mail-{backend.name}-n{n}-r{r}"
        shutil.rmtree(saved, ignore_errors=True)
        counts: list[int] = []
        floor_counts: list[int] = []

        def run_monitor(save: Path | None = None):
            db = backend.copy(synced, f"fcheck{n}")  # nothing checked yet, every run
            before = self.footprint(backend, db)
            with backends.SmtpSink(save) as sink:
                sample = timed(cmd, self.mail_env(db, cfg, sink))
            counts.append(sink.count)
            result.stats.update(self.growth(backend, db, before))
            return sample

        def run_floor():
            backend.reset_floor_copy(floor_db)
            with backends.SmtpSink(None) as sink:
                sample = timed(
                    [
                        PY,
                        str(HERE / "floors" / "read_insert_send.py"),
                        backend.driver,
                        floor_db.driver_target,
                        "127.0.0.1",
                        str(sink.port),
                        str(saved),
                    ],
                    base_env(self.work),
                )
            floor_counts.append(sink.count)
            return sample

        run_monitor(saved)  # untimed: the very messages the floor resends
        result.stats.update(messages(saved))
        self.alternate(result, run_monitor, run_floor, result.k, False)
        sent = result.stats["messages"]
        bad = [c for c in counts + floor_counts if c != sent]
        result.note += (
            f" sink counted {sent} messages per run (monitor and floor)"
            if not bad
            else f" SINK COUNT MISMATCH {bad} != {sent};"
        )
        return result

    def flow(self, backend: backends.Backend, n: int) -> Result:
        result = Result("flow", backend.name, n, 1, self.k_for(n))
        if not (ROOT / "flows" / "check.py").exists():
            result.note = "skipped: flows/check.py does not exist yet"
            return result
        cfg = self.config(n, 1)
        synced = backend.synced(cfg, self.env, n, check=False)
        if self.prefect is None:
            self.prefect = backends.PrefectServer(self.work / "prefect-home").start()

        def run_monitor():
            db = backend.copy(synced, f"flow{n}")
            return timed([PY, "-c", FLOW_CODE], self.env(db, cfg, **self.prefect.env()))

        def run_floor():
            return timed(
                [PY, str(HERE / "floors" / "noop_flow.py")],
                {**base_env(self.work), **self.prefect.env()},
            )

        self.alternate(result, run_monitor, run_floor, result.k, True)
        return result

    # -- driving ---------------------------------------------------------------

    def plan(self) -> list[tuple[str, str, int]]:
        a = self.args
        out = []
        for backend in a.backends:
            for scenario in a.scenarios:
                sizes = a.sizes or (
                    FUNDER_SIZES
                    if scenario in FUNDER
                    else TABLE_SIZES
                    if scenario in ("status-table", "history-table")
                    else SIZES
                )
                if a.quick:
                    sizes = [s for s in sizes if s <= (20_000 if scenario in FUNDER else 10_000)]
                if scenario == "digest" and not a.digest_100k:
                    sizes = [s for s in sizes if s <= 10_000]
                out += [(scenario, backend, n) for n in sizes]
        return out

    def run(self) -> None:
        try:
            for scenario, backend_name, n in self.plan():
                backend = backends.make(backend_name, self.work)
                print(f"== {scenario} on {backend_name}, N={n:,}", flush=True)
                t0 = time.perf_counter()
                try:
                    # ``import`` is a keyword: its method is import_.
                    method = scenario.replace("-", "_")
                    result = getattr(self, method if method != "import" else "import_")(backend, n)
                except Exception as exc:  # keep going: one broken scenario is a finding
                    result = Result(scenario, backend_name, n, 0, 0, note=f"failed: {exc}"[:500])
                    print(f"   {result.note}", file=sys.stderr)
                finally:
                    backend.cleanup()
                print(
                    f"   ({time.perf_counter() - t0:.0f}s including setup) {result.note}",
                    flush=True,
                )
                self.results.append(result)
                self.save()
        finally:
            if self.prefect is not None:
                self.prefect.stop()

    def save(self) -> None:
        RESULTS.mkdir(exist_ok=True)
        payload = {
            "machine": machine.describe(),
            "finished": datetime.now().isoformat(timespec="seconds"),
            "as_of": AS_OF.isoformat(),
            "args": {k: v for k, v in vars(self.args).items() if k != "func"},
            "results": [{**asdict(r), "ok": r.ok} for r in self.results],
        }
        previous = RESULTS / f"{self.args.results}.json"
        if self.args.merge and previous.exists():
            old = json.loads(previous.read_text())
            keep = {(r["scenario"], r["backend"], r["n"]) for r in payload["results"]}
            payload["results"] = [
                r for r in old["results"] if (r["scenario"], r["backend"], r["n"]) not in keep
            ] + payload["results"]
        previous.write_text(json.dumps(payload, indent=1))


def messages(folder: Path) -> dict:
    """How many messages the sink saved, and the largest one's size as sent (bytes of DATA)."""
    sizes = [len(path.read_bytes().split(b"\n", 2)[2]) for path in sorted(folder.glob("*.eml"))]
    return {
        "messages": len(sizes),
        "largest_message_bytes": max(sizes, default=0),
        "median_message_bytes": int(statistics.median(sizes)) if sizes else 0,
        "over_limit": sum(size > MESSAGE_LIMIT for size in sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N ≤ 10,000 and K=3")
    parser.add_argument(
        "--scenario",
        dest="scenarios",
        action="append",
        choices=list(SCENARIOS),
        help="only this scenario (repeatable); default all",
    )
    parser.add_argument(
        "--backend",
        dest="backends",
        action="append",
        choices=["sqlite", "postgresql"],
        help="repeatable; default both",
    )
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        help="comma-separated N values; default 100,1000,10000,100000",
    )
    parser.add_argument("-k", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--k-large", type=int, default=3, help="runs per figure at N ≥ 100,000")
    parser.add_argument("--recipients", type=int, default=DIGEST_RECIPIENTS)
    parser.add_argument("--digest-100k", action="store_true", help="also digest at N=100,000")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep earlier results.json rows for figures not re-measured",
    )
    parser.add_argument(
        "--funder",
        action="store_true",
        help="only funder-check and funder-digest, into funder.json / funder.md",
    )
    parser.add_argument(
        "--results",
        help="results file stem under bench/results (default: results; funder with --funder)",
    )
    parser.add_argument("--workdir", default="/tmp/ukjp-bench")
    parser.add_argument(
        "--profile",
        metavar="SCENARIO",
        choices=list(SCENARIOS),
        help="run SCENARIO once under pyinstrument (see bench/profile_scenario.py)",
    )
    parser.add_argument(
        "--profile-text-only",
        action="store_true",
        help="with --profile: one run, the text call tree only (no HTML run)",
    )
    args = parser.parse_args()
    # A SIGTERM still runs atexit, which drops the PostgreSQL databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.funder:
        args.scenarios = args.scenarios or list(FUNDER)
    args.results = args.results or ("funder" if args.funder else "results")
    args.scenarios = args.scenarios or list(SCENARIOS)
    args.backends = args.backends or ["sqlite", "postgresql"]
    if args.quick:
        args.k, args.k_large = min(args.k, 3), 1
    _compile_sources()
    if args.profile:
        import profile_scenario

        args.profile_renderers = [("text", ".txt")]
        if not args.profile_text_only:
            args.profile_renderers.insert(0, ("html", ".html"))
        profile_scenario.main(args)
        return
    bench = Bench(args)
    bench.run()
    import report

    report.write(RESULTS, args.results)


if __name__ == "__main__":
    main()
