"""``serve``: the check and digest flows on monitor.yaml's schedules, on one machine.

Prefect's temporary local server runs no schedules, so APScheduler 3 does, in
the programme's time zone. Jobs are injected (kind → callable); ``flow_jobs``
gives the real ones. The database ledger, not this module, keeps delivery
once-only, so when in doubt the scheduler runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from ukjp_monitor.config.loader import Config
from ukjp_monitor.errors import InputError
from ukjp_monitor.jobs.flowrun import flows_use
from ukjp_monitor.jobs.health import previous_fire_time
from ukjp_monitor.jobs.sendtrigger import SendTimesTrigger, describe_schedule
from ukjp_monitor.plan.sendtimes import last_due
from ukjp_monitor.settings import Clock, Settings
from ukjp_monitor.store import queries
from ukjp_monitor.store.runs import latest

KINDS = ("check", "digest")
#: The flow each kind runs: module under flows/, function (DESIGN.md §8).
FLOWS = {"check": ("flows.check", "milestone_check"), "digest": ("flows.digest", "weekly_digest")}
#: How often the main thread pokes the scheduler. Its wait runs on the
#: monotonic clock, which stops while the machine sleeps; a poke makes it
#: look at the wall clock again, so a firing slept through runs on waking.
WAKE_EVERY = 60.0
#: Prefect settings for the flows serve runs. Nothing phones home (DESIGN §8):
#: Prefect's temporary server, started by the first flow run with that run's
#: settings, would otherwise post a telemetry heartbeat to Prefect every ten
#: minutes. Its SDK analytics decide in a thread of their own, which sees the
#: environment but not these settings: the serve command sets DO_NOT_TRACK.
PREFECT_SETTINGS = {"server.analytics_enabled": False}
#: Defaults for those flows, which the user's own Prefect settings override.
#: A temporary server's first start migrates a new database, which takes more
#: than Prefect's 20 s on a slow or busy machine. Prefect then fails the flow
#: but leaves that server running; the next flow's server finds the port taken
#: and dies, the next flow talks to the orphan, and the orphan outlives serve,
#: holding its output open (seen on a 2-core machine).
PREFECT_DEFAULTS = {"server.ephemeral.startup_timeout_seconds": 180}

Job = Callable[[], object]
log = logging.getLogger(__name__)


def _echo(line: str) -> None:
    print(line, flush=True)  # serve's output is often a pipe into a log


def triggers(config: Config) -> dict[str, BaseTrigger]:
    """The check on its cron, in the programme's time zone (not the
    machine's, so 07:00 means 07:00 in London in summer and winter alike);
    the digest at each recipient's send time."""
    zone = ZoneInfo(config.programme.timezone)
    check = CronTrigger.from_crontab(_cron(config, "check"), timezone=zone)
    times = config.monitor.send_times(config.programme.timezone).values()
    digest = (
        SendTimesTrigger(times)
        if times
        else CronTrigger.from_crontab(_cron(config, "digest"), timezone=zone)
    )
    return {"check": check, "digest": digest}


def _last_firing(config: Config, kind: str, now: datetime) -> datetime | None:
    if kind == "digest" and config.monitor.recipients:
        return last_due(config.monitor.send_times(config.programme.timezone).values(), now)
    return previous_fire_time(_cron(config, kind), config.programme.timezone, now)


def missed_firings(engine: Engine, config: Config, now: datetime) -> dict[str, datetime]:
    """Each kind whose schedule last fired after both its last recorded run and
    the first sync, with that latest firing: one run catches up on all missed.

    APScheduler's in-memory store forgets firings missed while serve was down;
    the runs table remembers. A new installation owes nothing from before it.
    """
    with engine.connect() as conn:
        since = queries.first_event_at(conn)
    if since is None:
        return {}
    last, missed = latest(engine), {}
    for kind in KINDS:
        fired = _last_firing(config, kind, now)
        ran = last.get(kind)
        if fired and fired >= since and (ran is None or ran.started_at < fired):
            missed[kind] = fired
    return missed


def start(
    config: Config,
    engine: Engine,
    jobs: Mapping[str, Job],
    *,
    clock: Clock,
    echo: Callable[[str], object] = _echo,
) -> BackgroundScheduler:
    """Start a scheduler running ``jobs[kind]`` on each kind's schedule, plus one
    immediate catch-up for each kind that missed a firing; echo the plan."""
    zone = ZoneInfo(config.programme.timezone)
    missed = missed_firings(engine, config, clock())
    # One worker: check and digest never run at once, so they never race to
    # start Prefect's temporary server (seen: two servers, a port clash), and
    # a catch-up of both runs the check first, so the digest includes its news.
    scheduler = BackgroundScheduler(timezone=zone, executors={"default": ThreadPoolExecutor(1)})
    for kind, trigger in triggers(config).items():
        # A catch-up is this job fired early. Should a normal firing follow it
        # at once (serve back at 06:59), the second run finds nothing left to
        # send: the ledger, not the scheduler, keeps delivery once-only.
        first = {"next_run_time": clock().astimezone(zone)} if kind in missed else {}
        scheduler.add_job(
            _logged(kind, jobs[kind]),
            trigger,
            id=kind,
            name=kind,
            coalesce=True,  # firings piled up while asleep make one run, not a storm
            max_instances=1,  # a slow run is never overlapped by the next firing
            misfire_grace_time=None,  # however late it wakes, a firing still runs
            **first,
        )
        upcoming = trigger.get_next_fire_time(None, clock())
        echo(f"{kind}: next run {_when(upcoming, zone)} ({describe_schedule(config, kind)})")
        if kind in missed:
            due = _when(missed[kind], zone)
            echo(f"{kind}: catching up now on the run due {due}, missed while serve was down")
    scheduler.start()
    return scheduler


def serve(config: Config, engine: Engine, jobs: Mapping[str, Job], **options) -> None:
    """Run the jobs on their schedules until SIGINT or SIGTERM, then return.

    A job running when the signal comes is allowed to finish (a check takes
    seconds); further signals meanwhile are reported, not obeyed, because
    leaving mid-job would strand a Prefect temporary server started by it.
    Must be called from the main thread (signal handlers live there).
    """
    _log_to_stderr()
    stop = _Stopper()
    # Handlers first: a signal during start must stop serve cleanly too.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        scheduler = start(config, engine, jobs, **options)
        with suppress(_Stop):
            while not stop.stopping:
                stop.sleep(WAKE_EVERY)
                scheduler.wakeup()
        log.info("serve: stopping; a running job is allowed to finish")
        scheduler.shutdown(wait=True)
        log.info("serve: stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def find_flows(places: Iterable[Path] | None = None) -> Path:
    """The folder holding ``flows/check.py`` and ``flows/digest.py``: by default
    the working directory (the repository root, per the README), else the
    checkout of an editable install. InputError (exit 2) when neither has them."""
    places = list(places) if places is not None else [Path.cwd(), Path(__file__).parents[2]]
    for place in places:
        if all((place / "flows" / f"{kind}.py").is_file() for kind in KINDS):
            return place.resolve()
    looked = " or ".join(str(p) for p in places)
    raise InputError(
        f"no flows/check.py and flows/digest.py in {looked}; start serve from the repository root"
    )


def flow_jobs(settings: Settings, root: Path | None = None) -> dict[str, Job]:
    """The real jobs, each running its Prefect flow in this process.

    The flows take serve's settings (its ``--db`` and ``--config-dir``)
    through ``flow_settings``, not through the environment, and are loaded
    from ``root/flows`` without touching ``sys.path``. Prefect is imported
    when a job first runs: serve starts in a second, and a broken flow fails
    a run rather than serve.
    """
    root = root or find_flows()
    return {kind: _flow_runner(root, settings, *FLOWS[kind]) for kind in KINDS}


def _flow_runner(root: Path, settings: Settings, module: str, name: str) -> Job:
    def run_flow():
        # Without PREFECT_API_URL Prefect runs the flow on a temporary local
        # server; with it, the run shows on that server. Either way, not ours.
        flow = getattr(_import_flows(root, module), name)
        with flows_use(settings), prefect_settings():
            return flow()

    return run_flow


@contextmanager
def prefect_settings() -> Iterator[None]:
    """``PREFECT_SETTINGS`` and ``PREFECT_DEFAULTS`` in effect for the flows run
    inside the block (and for a temporary server they start), without touching
    the environment."""
    from prefect.settings import temporary_settings

    with temporary_settings(updates=PREFECT_SETTINGS, set_defaults=PREFECT_DEFAULTS):
        yield


def _import_flows(root: Path, module: str) -> ModuleType:
    """``flows.check`` or ``flows.digest`` from ``root/flows``."""
    if "flows" not in sys.modules:
        folder = root / "flows"
        spec = importlib.util.spec_from_file_location(
            "flows", folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules["flows"] = package
        spec.loader.exec_module(package)
    return importlib.import_module(module)


def _logged(kind: str, job: Job) -> Job:
    """The job with a log line at its start and end; a failure is logged in one
    line (the run is already recorded as failed) and serve carries on."""

    def run() -> None:
        log.info("%s: started", kind)
        began = time.monotonic()
        try:
            job()
        except Exception as exc:
            took = time.monotonic() - began
            reason = (str(exc).strip().splitlines() or [""])[0]
            log.error("%s: failed after %.1f s: %s: %s", kind, took, type(exc).__name__, reason)
            log.debug("%s: traceback", kind, exc_info=True)
        else:
            log.info("%s: finished in %.1f s", kind, time.monotonic() - began)

    return run


class _Stop(Exception):
    """Raised in the main thread by the first SIGINT or SIGTERM, to cut its sleep short."""


class _Stopper:
    """The SIGINT and SIGTERM handler: notes the first signal, and raises
    ``_Stop`` only while the main thread sleeps. Raised anywhere else (inside
    ``Thread.start``, seen) it would leave the code it interrupts half done."""

    stopping = False
    _sleeping = False

    def __call__(self, signum, frame) -> None:
        if self.stopping:
            log.info("serve: already stopping; waiting for a running job, if any, to finish")
            return
        self.stopping = True
        if self._sleeping:
            raise _Stop

    def sleep(self, seconds: float) -> None:
        self._sleeping = True
        try:
            if not self.stopping:
                time.sleep(seconds)
        finally:
            self._sleeping = False


def _log_to_stderr() -> None:
    # A handler of our own rather than the root logger's: Prefect reconfigures
    # the root logger (to WARNING) the first time a flow runs.
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _cron(config: Config, kind: str) -> str:
    return getattr(config.monitor.schedules, kind)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %Y-%m-%d %H:%M} {zone.key}"
