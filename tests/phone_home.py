"""Catching a process that phones home (DESIGN §8).

``watch(folder, env)`` gives an environment whose Python processes — the one
started with it and every Python process that one starts, such as Prefect's
temporary server or a worker's flow runs — note each attempt to look up or
connect to a host other than this machine in ``folder/calls.log`` (through an
audit hook installed by a ``sitecustomize`` module; nothing is blocked).
"""

from __future__ import annotations

import os
from pathlib import Path

WALL_CLOCK = Path(__file__).parent / "wall_clock" / "sitecustomize.py"

SITECUSTOMIZE = """\
import ipaddress
import os
import runpy
import sys

LOG = {log!r}


def _is_here(host):
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _watch(event, args):
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect" and isinstance(args[1], tuple):
        host = args[1][0]
    else:
        return
    if isinstance(host, bytes):
        host = host.decode()
    if not _is_here(host):
        with open(LOG, "a") as log:
            log.write(f"{{os.getpid()}} {{' '.join(sys.argv)[:80]}}: {{event}} {{host}}\\n")


sys.addaudithook(_watch)
# This module shadows the one `pytest --wall-clock` puts on PYTHONPATH.
runpy.run_path({wall_clock!r})
"""


def watch(folder: Path, env: dict[str, str]) -> dict[str, str]:
    """``env`` with the watching ``sitecustomize`` from ``folder`` first on PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    source = SITECUSTOMIZE.format(log=str(calls_log(folder)), wall_clock=str(WALL_CLOCK))
    (folder / "sitecustomize.py").write_text(source)
    path = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH")]))
    return env | {"PYTHONPATH": path}


def calls_log(folder: Path) -> Path:
    return folder / "calls.log"


def calls_home(folder: Path) -> list[str]:
    """The attempts noted so far, one line each (pid, command, event, host)."""
    log = calls_log(folder)
    return log.read_text().splitlines() if log.exists() else []
