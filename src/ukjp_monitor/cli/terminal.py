"""What the terminal in front of a command can take: a progress bar, colour,
a pager, and how wide the status table may be.

Decided from the streams and from the environment the settings carry (the
settings are the one reader of the environment):

* a progress bar (``progress_meter``) goes to stderr only when stderr is a
  terminal, ``TERM`` is not ``dumb`` and ``CI`` is unset: never into a pipe,
  a log file or a CI job's log, so what those capture is what it always was;
* colour only when stdout is a terminal, ``NO_COLOR`` is unset or empty
  (https://no-color.org) and ``TERM`` is not ``dumb``;
* the width is ``COLUMNS`` when set, else the terminal's, else 140 for a
  file or a pipe (wide enough that titles seldom wrap there);
* paging only when stdin and stdout are both terminals.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import IO, Any

import click

from ukjp_monitor.plan.meter import Advance, Meter, silent

#: A file or a pipe has no width of its own; this one keeps most titles on one line.
PIPE_WIDTH = 140
#: Work that ends sooner than this shows no bar at all: no flicker for a small programme.
DELAY = 0.5


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def _dumb(environ: Mapping[str, str]) -> bool:
    return environ.get("TERM", "") == "dumb"


def progress_meter(environ: Mapping[str, str]) -> Meter:
    """A progress bar on stderr if it is a terminal a bar can be drawn on;
    otherwise ``silent``, which writes nothing."""
    if not _isatty(sys.stderr) or _dumb(environ) or environ.get("CI"):
        return silent
    return _bar


@contextmanager
def _bar(label: str, total: int | None) -> Iterator[Advance]:
    """click's progress bar, shown once the work has taken ``DELAY`` seconds.

    Work without a total shows its label as a line, and the count so far
    after it if it is told one (``reading grants.xlsx… 45,000``).
    """
    if total is None:
        with _count(label) as advance:
            yield advance
        return
    err = sys.stderr
    started, done = time.monotonic(), 0
    bar: Any = None
    with ExitStack() as shown:

        def advance(n: int) -> None:
            nonlocal bar, done
            done += n
            if bar is not None:
                bar.update(n)
            elif time.monotonic() - started >= DELAY:
                # Redrawn at most 200 times: drawing on every step would
                # cost more than the work at 100,000 steps.
                bar = shown.enter_context(
                    click.progressbar(
                        length=total, label=label, file=err, update_min_steps=max(1, total // 200)
                    )
                )
                bar.update(done)

        yield advance


#: How often a count without a total is redrawn, at most (seconds).
REDRAW = 0.2


@contextmanager
def _count(label: str) -> Iterator[Advance]:
    """``label…`` on stderr once the work has taken ``DELAY`` seconds, then
    the count so far after it, redrawn in place; the line ends with the work."""
    err, lock = sys.stderr, threading.Lock()
    done, drawn, over, last = 0, False, False, 0.0

    def draw() -> None:
        nonlocal drawn, last
        drawn, last = True, time.monotonic()
        err.write(f"\r{label}…" + (f" {done:,}" if done else "") + "\x1b[K")
        err.flush()

    def first() -> None:
        with lock:
            if not over:  # the timer may fire as the work ends
                draw()

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if drawn and time.monotonic() - last >= REDRAW:
            with lock:
                if not over:
                    draw()

    timer = threading.Timer(DELAY, first)
    timer.start()
    try:
        yield advance
    finally:
        timer.cancel()
        with lock:
            over = True
            if drawn:
                draw()
                err.write("\n")
                err.flush()


def colour(environ: Mapping[str, str]) -> bool:
    """Whether what goes to stdout may be coloured."""
    return _isatty(sys.stdout) and not environ.get("NO_COLOR") and not _dumb(environ)


def width(environ: Mapping[str, str]) -> int:
    """How many columns stdout has (``COLUMNS`` first, as every tool does)."""
    given = environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    if _isatty(sys.stdout):
        return shutil.get_terminal_size((PIPE_WIDTH, 24)).columns
    return PIPE_WIDTH


def height() -> int:
    return shutil.get_terminal_size((PIPE_WIDTH, 24)).lines


def pages() -> bool:
    """Whether a long text may go through ``$PAGER``: only for a person at a terminal."""
    return _isatty(sys.stdin) and _isatty(sys.stdout)
