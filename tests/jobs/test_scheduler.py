"""serve: the flows on monitor.yaml's schedules, in London time, with catch-up."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import TODAY
from phone_home import calls_home, watch
from ukjp_monitor.config.loader import load_config
from ukjp_monitor.errors import InputError
from ukjp_monitor.jobs import scheduler
from ukjp_monitor.jobs.health import previous_fire_time
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.settings import Settings

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 08:00 in London: GMT in November
#: The shipped Japanese partner's digest that week: 08:00 in Tokyo on the
#: Tuesday, Monday 23 November being Labour Thanksgiving Day there.
TOKYO_TUESDAY = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class Calls:
    """Fake jobs that note which kind ran, for a scheduler started in the test."""

    def __init__(self, seconds: float = 0.0):
        self.kinds: list[tuple[str, str]] = []
        self.seconds = seconds

    def jobs(self):
        return {kind: self._job(kind) for kind in scheduler.KINDS}

    def _job(self, kind):
        def run():
            self.kinds.append((kind, "start"))
            time.sleep(self.seconds)
            self.kinds.append((kind, "end"))

        return run

    def ran(self, count: int, timeout: float = 3.0) -> list[str]:
        """The kinds that ran, once ``count`` runs have ended (then a moment more,
        so an extra run would be seen too)."""
        deadline = time.monotonic() + timeout
        while self._ended() < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        return [kind for kind, event in self.kinds if event == "end"]

    def _ended(self) -> int:
        return sum(event == "end" for _, event in self.kinds)


@pytest.fixture
def start(monitor, clock):
    """Start the real scheduler on the test's database with fake jobs."""
    started = []

    def start_(calls: Calls | None = None):
        calls = calls or Calls()
        lines: list[str] = []
        config = monitor.load_config()
        started.append(
            scheduler.start(config, monitor.engine, calls.jobs(), clock=clock, echo=lines.append)
        )
        return started[-1], calls, lines

    yield start_
    for s in started:
        s.shutdown(wait=True)


def history(monitor, clock, *, synced: datetime, runs: dict[str, datetime]) -> None:
    """A monitor first synced at ``synced`` whose last runs started at ``runs``."""
    clock.now = synced
    monitor.sync()
    for kind, at in runs.items():
        clock.now = at
        with monitor.recorded(kind):
            pass
    clock.now = TUESDAY_NOON


# -- triggers ---------------------------------------------------------------


def test_the_triggers_come_from_monitor_yaml_in_the_programme_time_zone(config_dir):
    triggers = scheduler.triggers(load_config(config_dir, now=TODAY))
    check = triggers["check"]
    assert check.timezone == LONDON
    # 07:00 in London is 07:00 UTC in winter and 06:00 UTC in summer.
    winter = check.get_next_fire_time(None, TUESDAY_NOON)
    summer = check.get_next_fire_time(None, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert winter == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert summer == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)


def test_a_schedule_changed_in_monitor_yaml_is_the_one_used(config_dir):
    path = config_dir / "monitor.yaml"
    path.write_text(path.read_text().replace('"0 8 * * mon"', '"30 9 * * fri"'))
    digest = scheduler.triggers(load_config(config_dir, now=TODAY))["digest"]
    tokyo = digest.get_next_fire_time(None, TUESDAY_NOON)  # the partner's 08:00 stays
    london = digest.get_next_fire_time(tokyo, tokyo)
    assert (tokyo, london) == (
        datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    )


def test_jobs_never_overlap_pile_up_or_give_up_when_late(start):
    s, _, lines = start()
    for kind in scheduler.KINDS:
        job = s.get_job(kind)
        assert job.max_instances == 1
        assert job.coalesce is True
        assert job.misfire_grace_time is None
    assert lines == [
        "check: next run Wed 2026-11-25 07:00 Europe/London (0 7 * * mon-fri)",
        "digest: next run Sun 2026-11-29 23:00 Europe/London "
        "(0 8 * * mon; 08:00 Asia/Tokyo on JP working days)",
    ]


# -- catch-up after downtime ------------------------------------------------


def test_a_missed_monday_digest_goes_out_at_once_when_serve_comes_back_on_tuesday(
    monitor, clock, start
):
    last_monday = MONDAY - timedelta(days=7)
    history(
        monitor,
        clock,
        synced=last_monday - timedelta(days=1),
        runs={
            "digest": last_monday + timedelta(seconds=2),
            "check": TUESDAY_NOON - timedelta(hours=5),
        },
    )
    s, calls, lines = start()
    assert calls.ran(1) == ["digest"]
    assert (
        "digest: catching up now on the run due Mon 2026-11-23 23:00 Europe/London, "
        "missed while serve was down"
    ) in lines
    # After the catch-up the job goes back to its schedule.
    assert s.get_job("digest").next_run_time > clock()


def test_nothing_is_caught_up_when_no_firing_was_missed(monitor, clock, start):
    history(
        monitor,
        clock,
        synced=MONDAY - timedelta(days=30),
        runs={
            "digest": TOKYO_TUESDAY + timedelta(seconds=1),
            "check": TUESDAY_NOON - timedelta(hours=5),
        },
    )
    assert scheduler.missed_firings(monitor.engine, monitor.load_config(), clock()) == {}
    s, _, lines = start()
    assert not any("catching up" in line for line in lines)
    assert all(job.next_run_time > clock() for job in s.get_jobs())


def test_a_new_installation_catches_up_on_nothing(monitor, clock, start):
    config = monitor.load_config()
    assert scheduler.missed_firings(monitor.engine, config, clock()) == {}  # never synced
    history(monitor, clock, synced=TUESDAY_NOON - timedelta(minutes=5), runs={})
    assert scheduler.missed_firings(monitor.engine, config, clock()) == {}
    _, _, lines = start()
    assert not any("catching up" in line for line in lines)


def test_several_missed_firings_are_caught_up_by_one_run(monitor, clock, start):
    # Down for two weeks: nine weekday checks and two Monday digests missed.
    history(
        monitor,
        clock,
        synced=MONDAY - timedelta(days=30),
        runs={"check": MONDAY - timedelta(days=15), "digest": MONDAY - timedelta(days=14)},
    )
    missed = scheduler.missed_firings(monitor.engine, monitor.load_config(), clock())
    assert missed == {"check": datetime(2026, 11, 24, 7, 0, tzinfo=UTC), "digest": TOKYO_TUESDAY}
    _, calls, _ = start()
    assert sorted(calls.ran(2)) == ["check", "digest"]


def test_check_and_digest_catch_up_one_after_the_other_check_first(monitor, clock, start):
    history(monitor, clock, synced=MONDAY - timedelta(days=30), runs={})
    _, calls, _ = start(Calls(seconds=0.3))
    calls.ran(2)
    assert calls.kinds == [
        ("check", "start"),
        ("check", "end"),
        ("digest", "start"),
        ("digest", "end"),
    ]


def test_a_failing_job_is_logged_in_one_line_and_serve_carries_on(caplog):
    def broken():
        raise RuntimeError("mail server on fire\nsecond line")

    with caplog.at_level("INFO", logger="ukjp_monitor.jobs.scheduler"):
        scheduler._logged("check", broken)()
    messages = [r.getMessage() for r in caplog.records if r.levelname != "DEBUG"]
    assert messages[0] == "check: started"
    assert messages[1].startswith("check: failed after 0.0 s: RuntimeError: mail server on fire")
    assert "second line" not in messages[1]


# -- DST ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    ["2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"],
    ids=["spring-2026", "autumn-2026", "spring-2027", "autumn-2027"],
)
def test_the_digest_fires_once_a_week_at_eight_in_london_across_a_clock_change(config_dir, change):
    digest = scheduler.triggers(load_config(config_dir, now=TODAY))["digest"]
    changed = datetime.fromisoformat(change).replace(tzinfo=LONDON)
    assert changed.weekday() == 6  # the last Sunday of the month
    moment, every = changed - timedelta(weeks=3), []
    while (moment := digest.get_next_fire_time(None, moment)) < changed + timedelta(weeks=3):
        every.append(moment)
        moment += timedelta(seconds=1)
    # 08:00 in Tokyo is 23:00 or 00:00 in London, never 08:00.
    firings = [f for f in every if f.astimezone(LONDON).hour == 8]
    assert len(every) == 2 * len(firings)
    local = [f.astimezone(LONDON) for f in firings]
    assert [(t.weekday(), t.hour, t.minute) for t in local] == [(0, 8, 0)] * 6
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(local))
    offsets = {f.utcoffset() for f in firings}
    assert len(offsets) == 2  # both sides of the change are covered


@pytest.mark.parametrize("kind", ["check"])
def test_cronsim_and_apscheduler_agree_on_every_firing_of_a_shipped_schedule_for_a_year(
    config_dir, kind
):
    """health (cronsim) and serve (APScheduler) read the check's cron
    separately; they must agree on every firing, across both clock changes.
    (The digest fires at the recipients' send times, which serve and health
    both take from ``plan.sendtimes``.)"""
    config = load_config(config_dir, now=TODAY)
    cron, zone = getattr(config.monitor.schedules, kind), config.programme.timezone
    trigger = scheduler.triggers(config)[kind]
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    previous = previous_fire_time(cron, zone, start)
    moment, count = start, 0
    while (fired := trigger.get_next_fire_time(None, moment)) < end:
        # cronsim sees this firing, and none between the previous one and it.
        assert previous_fire_time(cron, zone, fired) == fired
        assert previous_fire_time(cron, zone, fired - timedelta(seconds=1)) == previous
        previous, moment, count = fired, fired + timedelta(seconds=1), count + 1
    assert count == 261  # every weekday of 2026


# -- finding the flows ----------------------------------------------------------


def fake_flows(folder: Path, digest_seconds: float = 0.0) -> Path:
    """A flows/ package whose flows note that they ran (no Prefect involved)."""
    flows = folder / "flows"
    flows.mkdir(parents=True)
    (flows / "__init__.py").write_text("")
    (flows / "check.py").write_text(
        "from pathlib import Path\n\n\n"
        "def milestone_check(as_of=None):\n"
        "    Path('check-ran').write_text('')\n"
    )
    (flows / "digest.py").write_text(
        "import time\nfrom pathlib import Path\n\n\n"
        "def weekly_digest(as_of=None, send=True):\n"
        "    Path('digest-started').write_text('')\n"
        f"    time.sleep({digest_seconds})\n"
        "    Path('digest-ran').write_text(str(send))\n"
    )
    return folder


def test_the_flows_are_found_in_the_first_folder_that_has_them(tmp_path):
    empty, repo = tmp_path / "empty", fake_flows(tmp_path / "repo")
    empty.mkdir()
    assert scheduler.find_flows([empty, repo]) == repo.resolve()


def test_missing_flows_are_reported_with_the_fix(tmp_path):
    with pytest.raises(InputError, match="start serve from the repository root"):
        scheduler.find_flows([tmp_path])


# -- the serve command, as a process ----------------------------------------------


@pytest.fixture
def serve_process():
    """Starts ``serve`` as a process in a session of its own. After the test the
    whole session is killed, so nothing serve started (a Prefect temporary
    server) outlives the test, even when serve failed to stop it."""
    started: list[subprocess.Popen] = []

    def start(
        cwd: Path,
        database_url: str,
        config_dir: Path,
        env: dict[str, str] | None = None,
        watchdog_seconds: float = 30,
        options: tuple[str, ...] = (),
    ) -> subprocess.Popen:
        command = [sys.executable, "-m", "ukjp_monitor", "serve", *options]
        command += ["--db", database_url, "--config-dir", str(config_dir)]
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        # Never hang the test run.
        watchdog = threading.Timer(watchdog_seconds, kill_session, [process])
        watchdog.daemon = True
        watchdog.start()
        return process

    yield start
    for process in started:
        kill_session(process)


def kill_session(process: subprocess.Popen) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def session_left_running(process: subprocess.Popen) -> bool:
    """Whether anything serve started still runs after serve itself ended."""
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def read_lines(process: subprocess.Popen, count: int) -> list[str]:
    return [process.stdout.readline().rstrip("\n") for _ in range(count)]


def wait_for(path: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_prints_its_schedule_and_stops_cleanly_on_a_signal(
    database_url, config_dir, tmp_path, signum, serve_process
):
    cwd = fake_flows(tmp_path / "repo")
    process = serve_process(cwd, database_url, config_dir)
    lines = read_lines(process, 2)
    assert lines[0].startswith("check: next run ")
    assert lines[0].endswith(" Europe/London (0 7 * * mon-fri)")
    assert lines[1].startswith("digest: next run Sun ")  # 08:00 Monday in Tokyo
    began = time.monotonic()
    process.send_signal(signum)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert time.monotonic() - began < 3
    assert "serve: stopped" in err
    assert not (cwd / "check-ran").exists()  # a new database: nothing to catch up


@pytest.mark.slow
def test_serve_catches_up_and_lets_the_running_job_finish_before_it_stops(
    database_url, config_dir, tmp_path, serve_process
):
    # Synced three weeks ago, no run since: serve was down all that time.
    weeks_ago = TODAY - timedelta(weeks=3)
    settings = Settings(
        database_url=database_url, config_dir=config_dir, actor="tester", clock=lambda: weeks_ago
    )
    Monitor(settings).sync()
    cwd = fake_flows(tmp_path / "repo", digest_seconds=1.5)
    process = serve_process(cwd, database_url, config_dir)
    lines = read_lines(process, 4)
    assert sum("catching up now on the run due" in line for line in lines) == 2
    wait_for(cwd / "digest-started")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert (cwd / "check-ran").exists()
    assert (cwd / "digest-ran").read_text() == "True"  # finished, not abandoned
    assert "digest: finished in" in err
    assert os.environ.get("UKJP_DATABASE_URL") != database_url  # exported in serve only


def prefect_flows(folder: Path) -> Path:
    """A flows/ package of real Prefect flows that note the Prefect settings
    they ran with, and last long enough (3 s each) for the temporary server
    they start to phone home if it would."""
    flows = fake_flows(folder)
    for kind, (_, name) in scheduler.FLOWS.items():
        (flows / "flows" / f"{kind}.py").write_text(
            "import os\nimport time\nfrom pathlib import Path\n\n"
            "from prefect import flow\nfrom prefect.settings import get_current_settings\n\n\n"
            "@flow\n"
            f"def {name}(as_of=None, send=True):\n"
            "    analytics = get_current_settings().server.analytics_enabled\n"
            "    do_not_track = os.environ.get('DO_NOT_TRACK')\n"
            f"    Path('{kind}-ran').write_text(f'{{analytics}} {{do_not_track}}')\n"
            "    time.sleep(3)\n"
        )
    return flows


@pytest.mark.slow
def test_serve_runs_flows_with_prefect_analytics_off_and_never_phones_home(
    config_dir, tmp_path, serve_process
):
    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    weeks_ago = TODAY - timedelta(weeks=3)
    settings = Settings(database_url=database_url, config_dir=config_dir, clock=lambda: weeks_ago)
    Monitor(settings).sync()  # then nothing ran: serve catches up on both at once
    cwd = prefect_flows(tmp_path / "repo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect-home")}  # its temporary server, no API URL
    # Generous: Prefect's first import and its temporary server's first start
    # (migrating a new database) take half a minute on a busy machine, and
    # more than two once in a while.
    env = watch(tmp_path / "watch", env)
    process = serve_process(cwd, database_url, config_dir, env, watchdog_seconds=300)
    wait_for(cwd / "digest-ran", timeout=180)
    process.send_signal(signal.SIGTERM)
    # Stopping takes Prefect's temporary server, and its log and event
    # workers' last flush, well over 20 s on a busy 2-core machine.
    _, err = process.communicate(timeout=90)
    assert process.returncode == 0, err
    assert "Starting temporary server" in err  # serve's own, not the test's
    assert "check: finished in" in err, err  # the first start, migrating, did not time out
    assert not session_left_running(process)
    # In Prefect's own settings, in the flows serve runs, analytics are off.
    assert (cwd / "check-ran").read_text() == (cwd / "digest-ran").read_text() == "False 1"
    assert "telemetry" not in err.lower()
    assert calls_home(tmp_path / "watch") == []


@pytest.mark.slow
def test_serve_web_runs_the_status_page_beside_the_scheduler_and_stops_both(
    synced_monitor, settings, tmp_path, serve_process
):
    cwd = fake_flows(tmp_path / "repo")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = ("--web", "--port", str(port))
    process = serve_process(cwd, settings.database_url, settings.config_dir, options=options)
    lines = read_lines(process, 3)
    assert lines[0] == f"status page: http://127.0.0.1:{port}/"
    assert lines[1].startswith("check: next run ")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/milestones", timeout=10) as answer:
        assert len(json.load(answer)) == 8
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "serve: stopped" in err
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_serve_web_refuses_a_public_address_without_a_token(run_cli):
    result = run_cli("serve", "--web", "--host", "0.0.0.0")
    assert result.exit_status == 2
    assert "without UKJP_WEB_TOKEN the status page listens on loopback only" in result.stderr
