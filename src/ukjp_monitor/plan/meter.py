"""How far long work has got: the ``Meter`` a use case reports its counts to.

The use cases know their counts (lines of a file read, milestones written,
pages built, messages sent) and report them to the meter they were given,
and pass it on to the configuration's readers; what shows them is the
caller's business. Pure, and in the topmost layer, so that every layer may
report to one. The command line passes a progress bar when stderr is a
terminal (``cli.terminal``); everything else — ``serve``, the Prefect
flows, the status page, the tests — keeps the default, ``silent``, which
shows nothing and costs one call per step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

#: Called with how many more items are done.
Advance = Callable[[int], None]


class Meter(Protocol):
    """``with meter(label, total) as advance: ... advance(n)``.

    ``label`` says what is being done ("writing milestones"); ``total`` is
    how many items there are, or None when they are not known ahead
    (reading an Excel sheet, assessing the plan): then ``advance`` may still
    be told how many are done, or not be called at all. Whatever the meter
    showed is gone or finished when the block ends, even on error.
    """

    def __call__(self, label: str, total: int | None) -> AbstractContextManager[Advance]: ...


def nothing(n: int) -> None:
    """The ``Advance`` that notes nothing: for work that no one is watching."""


@contextmanager
def silent(label: str, total: int | None) -> Iterator[Advance]:
    """The meter that shows nothing (the default everywhere)."""
    yield nothing
