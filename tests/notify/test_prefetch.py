"""prefetched: a producer thread runs ahead of its consumer, and stops with it."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from ukjp_monitor.notify.prefetch import prefetched


class Source:
    """A generator that records how far it got and whether it was closed."""

    def __init__(self, count: int, fail_at: int | None = None):
        self.count, self.fail_at = count, fail_at
        self.produced: list[int] = []
        self.closed = threading.Event()
        self.threads: set[str] = set()

    def __iter__(self):
        try:
            for i in range(self.count):
                self.threads.add(threading.current_thread().name)
                if i == self.fail_at:
                    raise RuntimeError(f"item {i} cannot be made")
                self.produced.append(i)
                yield i
        finally:
            self.closed.set()


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_every_item_arrives_in_order_from_another_thread():
    source = Source(100)
    assert list(prefetched(source, depth=3)) == list(range(100))
    assert source.threads == {"ukjp-prefetch"}
    assert source.closed.is_set()


def test_the_producer_runs_ahead_of_the_consumer_by_at_most_depth_items():
    source = Source(50)
    items = prefetched(source, depth=4)
    assert next(items) == 0
    # Item 0 is with the consumer, four wait in the queue, one is in hand.
    assert wait_for(lambda: len(source.produced) == 6)
    time.sleep(0.1)
    assert len(source.produced) == 6
    items.close()


def test_a_failure_in_the_producer_is_raised_where_its_item_would_have_been():
    received = []
    with pytest.raises(RuntimeError, match="item 3 cannot be made"):
        for item in prefetched(Source(10, fail_at=3), depth=2):
            received.append(item)
    assert received == [0, 1, 2]


def test_leaving_the_loop_early_stops_and_closes_the_producer():
    source = Source(1000)
    for item in prefetched(source, depth=2):
        if item == 5:
            break
    assert source.closed.is_set()  # closed before the loop was left, not later
    assert len(source.produced) <= 5 + 1 + 2 + 1
    assert not any(t.name == "ukjp-prefetch" for t in threading.enumerate())


def test_a_failure_in_the_consumer_stops_the_producer_too():
    source = Source(1000)
    with pytest.raises(KeyError):
        for item in prefetched(source, depth=2):
            if item == 2:
                raise KeyError(item)
    assert source.closed.is_set()
    assert not any(t.name == "ukjp-prefetch" for t in threading.enumerate())


def test_the_switch_interval_is_left_as_it_was():
    before = sys.getswitchinterval()
    items = prefetched(Source(10), depth=1)
    next(items)
    assert sys.getswitchinterval() == before
    items.close()
    assert sys.getswitchinterval() == before


def test_depth_must_be_positive():
    with pytest.raises(ValueError, match="depth"):
        list(prefetched([1], depth=0))
