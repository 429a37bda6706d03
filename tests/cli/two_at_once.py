"""Start two ``ukjp-monitor run`` at once on a new database, many times over.

    python two_at_once.py DATABASE_URL WORK_DIR TRIES

Each try gets a new database (a new SQLite file in WORK_DIR, or PostgreSQL's
``public`` schema emptied) and outbox, then forks two processes that each run
the command line's ``main(["run"])``, as ``python -m ukjp_monitor run`` does,
with the configuration of ``UKJP_CONFIG_DIR``. Prints one JSON line per try:
the two exit statuses, their stderr, and the outbox.

Forked rather than started afresh: the modules are imported once, here, so
a try costs the run itself and not the ~1 s of imports and template
compilation, and fifteen tries fit in seconds. Each process still has its
own connections, transactions and locks, which is what the races are about;
a random pause of up to 30 ms before each run varies who gets where first.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

import ukjp_monitor.cli

#: Imported before forking, so that no child pays for them (see above).
PRELOADED = (
    "alembic.command",
    "alembic.config",
    "alembic.runtime.migration",
    "psycopg",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "ukjp_monitor.config.loader",
    "ukjp_monitor.jobs.notifier",
    "ukjp_monitor.notify.rendering",
    "ukjp_monitor.store.sync",
)
for module in PRELOADED:
    importlib.import_module(module)


def new_database(url: str, work: Path, n: int) -> str:
    if url.startswith("sqlite"):
        return f"sqlite:///{work / f'try-{n}.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()  # no connection of ours may cross the fork
    return url


def run_in_child(err: Path) -> None:
    random.seed()  # each child its own pause
    with open(err, "w") as stderr, open(os.devnull, "w") as stdout:
        os.dup2(stdout.fileno(), 1)
        os.dup2(stderr.fileno(), 2)
    time.sleep(random.uniform(0, 0.03))
    try:
        ukjp_monitor.cli.main(["run"])
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        os._exit(3)
    os._exit(0)


def one_try(url: str, work: Path, n: int) -> dict:
    os.environ["UKJP_DATABASE_URL"] = new_database(url, work, n)
    os.environ["UKJP_OUTBOX_DIR"] = outbox = str(work / f"outbox-{n}")
    errs = [work / f"try-{n}-{k}.err" for k in (1, 2)]
    children = []
    for err in errs:
        pid = os.fork()
        if pid == 0:
            run_in_child(err)
        children.append(pid)
    exits = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    return {"exits": exits, "stderr": [e.read_text() for e in errs], "outbox": outbox}


def main(url: str, work: str, tries: str) -> None:
    for n in range(int(tries)):
        print(json.dumps(one_try(url, Path(work), n)), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
