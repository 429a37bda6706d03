"""Work out the next items while the current one is being used.

Sending mail is mostly waiting for the server's reply to each message, and
rendering the next digest is mostly Python. ``prefetched`` runs the producer
in a thread of its own so the two overlap: while the sending thread waits on
its socket (which releases the GIL), the next messages are rendered.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")

_DONE = object()
#: How often a blocked producer looks to see whether it should stop.
_POLL_SECONDS = 0.05


def prefetched(items: Iterable[T], depth: int = 4) -> Generator[T, None, None]:
    """Yield what ``items`` yields, in order, produced up to ``depth`` items ahead.

    What ``items`` raises is raised here, where its next item would have
    been yielded. Closing the returned generator (or leaving a ``for`` loop
    over it) stops the producer after the item it is working on and waits
    for it, so nothing runs on after the caller has moved on.
    """
    if depth < 1:
        raise ValueError("depth must be at least 1")
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = iter(items)
        try:
            for item in source:
                if not offer((True, item)):
                    return
        except BaseException as exc:  # handed over, re-raised in the consumer
            offer((False, exc))
        else:
            offer((True, _DONE))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    producer = threading.Thread(target=produce, name="ukjp-prefetch", daemon=True)
    producer.start()
    try:
        while True:
            ok, value = ready.get()
            if not ok:
                raise value
            if value is _DONE:
                return
            yield value
    finally:
        stop.set()
        producer.join()
