"""One scenario's monitor side, once, under pyinstrument (`bench/run.py --profile S`).

    python bench/run.py --profile sync --backend sqlite --sizes 100000

Same setup as the measured run (generated config, fresh database copy, SMTP
sink, Prefect server); writes bench/results/profile-<scenario>-<backend>-n<N>.html
and .txt (the call tree, 1 ms sampling).
Named profile_scenario.py, not profile.py, so it never shadows the standard
library's `profile` module for anything run from bench/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import backends  # noqa: E402
import run as bench_run  # noqa: E402
from generate import AS_OF, write_config  # noqa: E402


def main(args: argparse.Namespace) -> None:
    scenario = args.profile
    bench = bench_run.Bench(args)
    out_dir = bench_run.RESULTS
    out_dir.mkdir(exist_ok=True)
    for backend_name in args.backends:
        backend = backends.make(backend_name, bench.work)
        n = (args.sizes or [bench_run.SCENARIOS[scenario][0]])[-1]
        stem = out_dir / f"profile-{scenario}-{backend_name}-n{n}"
        try:
            for renderer, suffix in args.profile_renderers:
                cmd, env, sink = _prepare(bench, backend, scenario, n)
                pyi = [
                    bench_run.PY,
                    "-m",
                    "pyinstrument",
                    "-i",
                    "0.001",
                    "-r",
                    renderer,
                    "-o",
                    f"{stem}{suffix}",
                ]
                full = pyi + (cmd[1:] if cmd[1] == "-m" else ["-c", cmd[2]])
                try:
                    sample = bench_run.timed(full, env)
                finally:
                    if sink is not None:
                        sink.__exit__(None, None, None)
                print(
                    f"{scenario}/{backend_name}/N={n}: {renderer} profile in "
                    f"{sample.seconds:.2f}s -> {stem}{suffix}"
                )
        finally:
            backend.cleanup()
            if bench.prefect is not None:
                bench.prefect.stop()
                bench.prefect = None


def _prepare(bench: bench_run.Bench, backend, scenario: str, n: int):
    """(command, environment, open SMTP sink or None), set up as the measured run does."""
    as_of = ["--as-of", AS_OF.isoformat()]
    mon = [bench_run.PY, "-m", "ukjp_monitor"]
    if scenario == "sync":
        cfg = bench.config(n, 1)
        return [*mon, "sync"], bench.env(backend.empty(f"prof{n}"), cfg), None
    if scenario == "status":
        cfg = bench.config(n, 1)
        db = backend.synced(cfg, bench.env, n, check=False)
        return [*mon, "status", "--format", "json", *as_of], bench.env(db, cfg), None
    if scenario == "check":
        cfg = bench.config(n, 1)
        db = backend.copy(backend.synced(cfg, bench.env, n, check=False), f"prof{n}")
        return [*mon, "check", *as_of], bench.env(db, cfg), None
    if scenario == "digest":
        cfg = bench.config(n, bench.args.recipients)
        db = backend.copy(backend.synced(cfg, bench.env, n, check=True), f"prof{n}")
        sink = backends.SmtpSink(None).__enter__()
        return [*mon, "digest", "--send", *as_of], bench.mail_env(db, cfg, sink), sink
    if scenario == "funder-check":
        cfg = bench.config(n, bench.args.recipients)
        db = backend.copy(backend.synced(cfg, bench.env, n, check=False), f"prof{n}")
        sink = backends.SmtpSink(None).__enter__()
        return [*mon, "check", *as_of], bench.mail_env(db, cfg, sink), sink
    if scenario == "funder-digest":
        r = bench.args.recipients
        cfg = write_config(bench.work / f"config-n{n}-r{r}-owners", n, r, owners=True)
        db = backend.copy(backend.synced(cfg, bench.env, n, check=True), f"prof{n}")
        sink = backends.SmtpSink(None).__enter__()
        return [*mon, "digest", "--send", *as_of], bench.mail_env(db, cfg, sink), sink
    if scenario == "import":
        cfg = write_config(bench.work / f"config-n{n}-r1-csv", n, 1, csv=True)
        return [*mon, "sync"], bench.env(backend.empty(f"prof{n}"), cfg), None
    if scenario == "flow":
        cfg = bench.config(n, 1)
        db = backend.copy(backend.synced(cfg, bench.env, n, check=False), f"prof{n}")
        if bench.prefect is None:
            bench.prefect = backends.PrefectServer(bench.work / "prefect-home").start()
        env = bench.env(db, cfg, **bench.prefect.env())
        return [bench_run.PY, "-c", bench_run.FLOW_CODE], env, None
    raise ValueError(scenario)
