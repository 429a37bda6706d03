"""Long text for people: written as it is made, through ``$PAGER`` at a terminal.

``write`` is what every command whose output grows with the programme (the
status table, the history, the digest previews) prints with. It never holds
more than a screenful plus one chunk: the first lines decide whether to page
(a text taller than the screen, for a person at a terminal, goes through
``$PAGER``, ``less`` when unset), and everything after goes out as it comes,
a few hundred lines per write. In a pipe or a file nothing is held and
nothing is paged (``terminal.pages``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from itertools import chain, islice

import click

from ukjp_monitor.cli import terminal

#: Lines per write: one write per line would cost more than the formatting.
CHUNK = 500


def write(lines: Iterable[str], *, colour: bool, page: bool = True) -> None:
    """Print ``lines`` (given without line ends), each ended by a newline;
    never through the pager when not ``page`` (data such as JSON)."""
    lines = iter(lines)
    if page and terminal.pages():
        screen = terminal.height()
        first = list(islice(lines, screen))
        if len(first) == screen:
            following = next(lines, None)
            if following is not None:
                click.echo_via_pager(_chunks(chain(first, [following], lines)), color=colour)
                return
        lines = iter(first)
    # Not click.echo: it writes UTF-8 to a stream that declares ASCII, where
    # main() has asked for "?" instead.
    out = sys.stdout
    for chunk in _chunks(lines):
        out.write(chunk)
    out.flush()


def _chunks(lines: Iterator[str]) -> Iterator[str]:
    """``lines``, each ended, joined ``CHUNK`` at a time."""
    while batch := list(islice(lines, CHUNK)):
        yield "\n".join(batch) + "\n"
