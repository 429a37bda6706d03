"""On a terminal and off it: progress bars on stderr only when it is a
terminal, and the status table through $PAGER only for a person at one
(cli/terminal.py). Each test runs the real command in a pseudo-terminal."""

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import threading
import time

import pytest

from conftest import SHIPPED_CONFIG
from ukjp_monitor.cli import terminal

pytestmark = pytest.mark.slow

#: Big enough that reading and writing it each take longer than the bar's
#: delay, with room to spare: a first sync writes 40,000 in about 0.6 s now,
#: too close to the half second for a quiet machine.
BIG = 100_000


def in_terminal(args, env, *, rows=24, columns=100, stdout_to_pipe=False):
    """Run ``ukjp-monitor ARGS`` with stdin and stderr (and stdout, unless
    ``stdout_to_pipe``) on a pseudo-terminal; what the terminal showed and
    what went down the pipe."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    out = subprocess.PIPE if stdout_to_pipe else slave
    proc = subprocess.Popen(
        [sys.executable, "-m", "ukjp_monitor", *args],
        stdin=slave,
        stdout=out,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed when the command ended
                return
            if not data:
                return
            shown.extend(data)

    reader = threading.Thread(target=read)
    reader.start()
    piped = proc.stdout.read() if proc.stdout else b""
    assert proc.wait(timeout=120) == 0, bytes(shown).decode(errors="replace")
    reader.join(timeout=10)
    os.close(master)
    return bytes(shown), piped


@pytest.fixture
def big(tmp_path):
    """A configuration of BIG milestones, and the arguments that point at it."""
    config = tmp_path / "big"
    config.mkdir()
    shutil.copy(SHIPPED_CONFIG / "monitor.yaml", config / "monitor.yaml")
    lines = [
        "programme: {name: Big programme, timezone: Europe/London}",
        "workstreams:",
        *(f"  - {{id: {w}, name: {w}}}" for w in ("governance", "quantum", "life-sciences")),
        "milestones:",
        *(
            f"  - {{id: m{i:05d}, title: Milestone {i}, workstream: quantum, target: 2026-Q3}}"
            for i in range(BIG)
        ),
    ]
    (config / "milestones.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["--config-dir", str(config), "--db", str(tmp_path / "big.db")]


def environment(**changes):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "PAGER")}
    env.update({"TERM": "xterm", **changes})
    return env


def test_sync_on_a_terminal_shows_a_bar_and_prints_what_it_always_did(big):
    shown, piped = in_terminal(["sync", *big], environment(), stdout_to_pipe=True)
    assert b"reading milestones.yaml" in shown
    assert b"syncing milestones" in shown and b"100%" in shown
    assert piped == f"synced: {BIG} added\n".encode()


def test_sync_in_a_pipe_writes_exactly_its_summary_and_nothing_to_stderr(big):
    done = subprocess.run(
        [sys.executable, "-m", "ukjp_monitor", "sync", *big],
        env=environment(),
        capture_output=True,
        check=True,
    )
    assert (done.stdout, done.stderr) == (f"synced: {BIG} added\n".encode(), b"")


@pytest.mark.parametrize("setting", [{"TERM": "dumb"}, {"CI": "true"}])
def test_a_dumb_terminal_or_a_ci_job_gets_no_bar(big, setting):
    shown, _ = in_terminal(["sync", *big], environment(**setting))
    assert shown.replace(b"\r\n", b"\n") == f"synced: {BIG} added\n".encode()


@pytest.fixture
def synced(tmp_path):
    args = ["--config-dir", str(SHIPPED_CONFIG), "--db", str(tmp_path / "m.db")]
    subprocess.run(
        [sys.executable, "-m", "ukjp_monitor", "sync", *args], env=environment(), check=True
    )
    return args


def test_a_table_taller_than_the_terminal_goes_through_the_pager(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'")
    shown, _ = in_terminal(["status", *synced], env, rows=10)
    table = paged.read_text(encoding="utf-8")
    assert "rare-disease-pilot-start" in table and "8 milestones as of" in table
    assert b"rare-disease-pilot-start" not in shown


def test_a_table_that_fits_the_terminal_is_not_paged(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'")
    shown, _ = in_terminal(["status", *synced], env, rows=200)
    assert b"rare-disease-pilot-start" in shown
    assert not paged.exists()


def test_a_table_down_a_pipe_is_never_paged_nor_coloured(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'")
    _, piped = in_terminal(["status", *synced], env, rows=10, stdout_to_pipe=True)
    assert b"rare-disease-pilot-start" in piped and b"\x1b[" not in piped
    assert not paged.exists()


def test_no_color_keeps_a_terminal_table_plain(synced):
    coloured, _ = in_terminal(["status", *synced], environment(), rows=200)
    plain, _ = in_terminal(["status", *synced], environment(NO_COLOR="1"), rows=200)
    assert b"\x1b[" in coloured
    assert b"\x1b[" not in plain and b"rare-disease-pilot-start" in plain


def test_validate_on_a_terminal_says_it_is_reading_a_big_configuration(big):
    shown, piped = in_terminal(["validate", *big], environment(), stdout_to_pipe=True)
    assert b"reading milestones.yaml" in shown and b"checking milestones" in shown
    assert piped.endswith(f"{BIG:,} milestones in 3 workstreams, 3 recipients: valid\n".encode())


def test_a_history_taller_than_the_terminal_goes_through_the_pager(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'")
    shown, _ = in_terminal(["history", *synced], env, rows=10, columns=80)
    history = paged.read_text(encoding="utf-8")
    assert "At, milestone; event · by · what" in history.splitlines()[0]
    assert "rare-disease-pilot-start" in history and b"rare-disease-pilot-start" not in shown


def test_a_history_down_a_pipe_is_never_paged(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'")
    _, piped = in_terminal(["history", *synced], env, rows=10, stdout_to_pipe=True)
    assert b"rare-disease-pilot-start" in piped and not paged.exists()


def test_one_milestones_short_history_is_printed_not_paged(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'")
    shown, _ = in_terminal(["history", "rare-disease-pilot-start", *synced], env, rows=24)
    assert b"added to the plan" in shown and not paged.exists()


def test_digest_previews_taller_than_the_terminal_go_through_the_pager(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'", UKJP_NOW="2026-11-24T09:00:00+00:00")
    shown, _ = in_terminal(["digest", *synced], env, rows=10)
    previews = paged.read_text(encoding="utf-8")
    assert previews.startswith("To: ") and previews.count("\nTo: ") == 2  # three recipients
    assert b"To: " not in shown


def test_digest_previews_down_a_pipe_are_never_paged(synced, tmp_path):
    paged = tmp_path / "paged.txt"
    env = environment(PAGER=f"sh -c 'cat > {paged}'", UKJP_NOW="2026-11-24T09:00:00+00:00")
    _, piped = in_terminal(["digest", *synced], env, rows=10, stdout_to_pipe=True)
    assert piped.startswith(b"To: ") and not paged.exists()


def test_work_without_a_total_shows_its_label_then_its_count_so_far(capsys, monkeypatch):
    monkeypatch.setattr(terminal, "DELAY", 0.0)
    monkeypatch.setattr(terminal, "REDRAW", 0.0)
    shown = ""
    with terminal._bar("reading grants.xlsx", None) as advance:
        deadline = time.monotonic() + 10
        while "reading" not in shown and time.monotonic() < deadline:
            time.sleep(0.01)  # the label is drawn by a timer thread, once the delay has passed
            shown += capsys.readouterr().err
        advance(1_000)
        advance(500)
    shown += capsys.readouterr().err
    assert shown.startswith("\rreading grants.xlsx…\x1b[K")
    assert "\rreading grants.xlsx… 1,000\x1b[K" in shown
    assert shown.endswith("\rreading grants.xlsx… 1,500\x1b[K\n")


def test_work_without_a_total_that_ends_quickly_shows_nothing(capsys):
    with terminal._bar("reading grants.xlsx", None) as advance:
        advance(10)
    time.sleep(terminal.DELAY + 0.1)  # past the moment the label would have shown
    assert capsys.readouterr().err == ""
