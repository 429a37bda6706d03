"""A record of every check and digest run: when, how it ended, what it did.

``recorded`` wraps a run however it was started (command line, Prefect flow,
``serve``); ``latest`` feeds ``health`` and the last line of ``status``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from ukjp_monitor.errors import InputError
from ukjp_monitor.store.db import writer
from ukjp_monitor.store.schema import runs

R = runs.c
CHECK, DIGEST = "check", "digest"
RUNNING, COMPLETED, FAILED = "running", "completed", "failed"


@dataclass
class RunRecord:
    """What the run reports about itself while it goes."""

    kind: str
    as_of: date | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    failed: str | None = None  # set when the run finishes but did not do everything


@dataclass(frozen=True)
class LastRun:
    kind: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    as_of: date | None
    counts: dict[str, Any]
    error: str | None


@contextmanager
def recorded(
    engine: Engine, kind: str, *, clock: Callable[[], datetime], trigger: str | None = None
) -> Iterator[RunRecord]:
    """Record a run: a ``running`` row now, its outcome when the block ends.

    An exception marks the run failed (with its first line) and propagates.
    Bad input (InputError) at the command line is the exception to that: the
    person who typed it sees the refusal, and a refused command writes
    nothing, so its row is removed (DESIGN §11). A scheduled run refused for
    bad input stays recorded failed: nobody watches it, and ``health`` must
    say that monitoring has stopped.
    """
    record = RunRecord(kind)
    with writer(engine).begin() as conn:
        run_id = conn.execute(
            insert(runs)
            .values(
                kind=kind,
                started_at=clock(),
                outcome=RUNNING,
                trigger=trigger,
                counts={},
            )
            .returning(R.id)
        ).scalar_one()
    try:
        yield record
    except InputError as exc:
        if trigger != "cli":
            _finish(engine, run_id, record, clock(), error=_first_line(exc))
            raise
        with writer(engine).begin() as conn:
            conn.execute(delete(runs).where(R.id == run_id))
        raise
    except BaseException as exc:
        _finish(engine, run_id, record, clock(), error=_first_line(exc))
        raise
    _finish(engine, run_id, record, clock(), error=record.failed)


def _finish(engine, run_id, record: RunRecord, now: datetime, *, error: str | None) -> None:
    with writer(engine).begin() as conn:
        conn.execute(
            update(runs)
            .where(R.id == run_id)
            .values(
                finished_at=now,
                outcome=FAILED if error else COMPLETED,
                as_of=record.as_of,
                counts=record.counts,
                error=error[:1000] if error else None,
            )
        )


def latest(engine: Engine) -> dict[str, LastRun]:
    """The most recent run of each kind that has ended."""
    found: dict[str, LastRun] = {}
    with engine.connect() as conn:
        for kind in (CHECK, DIGEST):
            row = conn.execute(
                select(R.kind, R.started_at, R.finished_at, R.outcome, R.as_of, R.counts, R.error)
                .where(R.kind == kind, R.outcome != RUNNING)
                .order_by(R.started_at.desc(), R.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                found[kind] = LastRun(*row)
    return found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
