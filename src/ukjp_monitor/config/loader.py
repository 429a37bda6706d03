"""Configuration: ``milestones.yaml`` and ``monitor.yaml`` into validated specs.

``load_config`` is the only entry point and, through ``sections``, the only
reader of YAML. It checks everything before anything is written and reports every mistake at
once, each as ``FILE:LINE: SUBJECT: what is wrong and what is accepted``,
where the subject (``milestone ID``, ``workstream ID``, ``recipient EMAIL``,
``programme``) is left out for file-wide settings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from ukjp_monitor import __version__
from ukjp_monitor.config.monitorfile import ChannelSpec, MonitorFile, RecipientSpec
from ukjp_monitor.config.sections import Items, Reader, Section
from ukjp_monitor.config.specs import ConfiguredMilestone, ProgrammeSpec, WorkstreamSpec
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.plan.records import Recipient

MILESTONES_FILE = "milestones.yaml"
MONITOR_FILE = "monitor.yaml"
NEEDED = f"the configuration folder needs {MILESTONES_FILE} and {MONITOR_FILE}"


@dataclass(frozen=True)
class Config:
    """The whole, valid configuration."""

    directory: Path
    programme: ProgrammeSpec
    workstreams: tuple[WorkstreamSpec, ...]
    milestones: tuple[ConfiguredMilestone, ...]
    monitor: MonitorFile

    def lead_days(self, milestone: ConfiguredMilestone) -> int:
        """The milestone's own lead time, else the monitor's default."""
        if milestone.lead_days is not None:
            return milestone.lead_days
        return self.monitor.lead_days


def load_config(directory: Path, *, now: datetime) -> Config:
    """Read and validate both files; ConfigError lists every problem found.

    ``now`` (the monitor's clock) is when the files are read: a completion
    they record must not be dated after today in the programme's time zone.
    """
    plan = _PlanReader(directory / MILESTONES_FILE, now)
    monitor = _MonitorReader(directory / MONITOR_FILE, plan.workstream_ids)
    problems = plan.problems + monitor.problems
    if problems or plan.programme is None or monitor.spec is None:
        raise ConfigError(problems)
    return Config(
        directory=directory,
        programme=plan.programme,
        workstreams=tuple(spec for _, spec in plan.workstreams.specs),
        milestones=tuple(spec for _, spec in plan.milestones.specs),
        monitor=monitor.spec,
    )


def fingerprint(directory: Path) -> str | None:
    """SHA-256 of both files' bytes, as read by this version; None if one cannot be read.

    Equal fingerprints mean a sync would read exactly what the last one did.
    The version is part of it because a release may read the same bytes
    differently. Hashing 16 MB takes 20 ms; parsing it, seconds.
    """
    digest = hashlib.sha256(f"ukjp-monitor {__version__}\n".encode())
    for name in (MILESTONES_FILE, MONITOR_FILE):
        try:
            data = (directory / name).read_bytes()
        except OSError:
            return None
        digest.update(b"%d\n" % len(data))
        digest.update(data)
    return digest.hexdigest()


def load_monitor(directory: Path, workstream_ids: set[str]) -> MonitorFile:
    """Only ``monitor.yaml``, for commands that take the plan from the database.

    ``check`` and ``digest`` need recipients and mail settings, not the plan;
    a funder's milestones.yaml is most of their cost to parse.
    """
    monitor = _MonitorReader(directory / MONITOR_FILE, workstream_ids)
    if monitor.problems or monitor.spec is None:
        raise ConfigError(monitor.problems)
    return monitor.spec


class _PlanReader(Reader):
    sections = ("programme", "workstreams", "milestones")
    required = sections
    lists: ClassVar = {
        "workstreams": Section("workstream", "id", "id"),
        "milestones": Section(
            "milestone", "id", "id", kept=("id", "workstream", "depends_on", "completed_on")
        ),
    }
    contents = "it needs programme, workstreams and milestones"
    needed = NEEDED

    def __init__(self, path: Path, now: datetime):
        super().__init__(path)
        self.programme = None
        self.workstreams, self.milestones = Items(), Items()
        #: None when the workstreams cannot be known, so references are not checked.
        self.workstream_ids: set[str] | None = None
        if not self.check_top():
            return
        self.programme = self.validate(ProgrammeSpec, self.raw.get("programme"), ("programme",))
        self._read_workstreams()
        self.milestones = self.read_items("milestones", ConfiguredMilestone) or Items()
        self._check_references()
        if self.programme is not None:
            self._check_completions(now.astimezone(ZoneInfo(self.programme.timezone)).date())

    def _read_workstreams(self) -> None:
        workstreams = self.read_items("workstreams", WorkstreamSpec)
        if workstreams is None:
            return
        if not self.raw["workstreams"]:
            self.problem(
                ("workstreams",), "workstreams: the list is empty; it needs at least one workstream"
            )
        if workstreams.claimed:
            self.workstreams, self.workstream_ids = workstreams, set(workstreams.claimed)

    def _check_references(self) -> None:
        known = set(self.milestones.claimed)
        for index, m in self.milestones.specs:
            here = ("milestones", index)
            if self.workstream_ids is not None and m.workstream not in self.workstream_ids:
                names = ", ".join(sorted(self.workstream_ids))
                self.problem(
                    (*here, "workstream"), f"unknown workstream {m.workstream!r}; known: {names}"
                )
            for j, dep in enumerate(m.depends_on):
                message = _dependency_problem(m, j, dep, known)
                if message:
                    self.problem((*here, "depends_on", j), message)
        specs = {m.id: (i, m) for i, m in self.milestones.specs}
        graph = {
            mid: [d for d in m.depends_on if d in specs and d != mid]
            for mid, (_, m) in specs.items()
        }
        for cycle in find_cycles(graph):
            self.problem(
                ("milestones", specs[cycle[0]][0], "depends_on"),
                "dependencies form a cycle, "
                + " → ".join([*cycle, cycle[0]])
                + "; remove one of them",
            )

    def _check_completions(self, today: date) -> None:
        """A completion is a fact: one dated after today has not happened yet."""
        for index, m in self.milestones.specs:
            if m.completed_on is not None and m.completed_on > today:
                self.problem(
                    ("milestones", index, "completed_on"),
                    f"completed_on {m.completed_on} is after today ({today}); "
                    "record a completion once it has happened, or give a forecast",
                )


def _dependency_problem(m: ConfiguredMilestone, j: int, dep: str, known: set[str]) -> str | None:
    if dep == m.id:
        return f"depends on itself; remove {dep!r} from depends_on"
    if dep in m.depends_on[:j]:
        return f"lists {dep!r} twice in depends_on; give each dependency once"
    if dep not in known:
        return f"depends on {dep!r}, which is not a milestone in this file"
    return None


class _MonitorReader(Reader):
    settings = ("lead_days", "schedules", "mail", "web")
    sections = (*settings, "recipients", "channels")
    lists: ClassVar = {
        "recipients": Section("recipient", "email", "email address", True),
        "channels": Section("channel", "name", "name"),
    }
    contents = "it lists the recipients, and may set lead_days, schedules, mail, web and channels"
    needed = NEEDED

    def __init__(self, path: Path, workstream_ids: set[str] | None):
        super().__init__(path)
        self.spec = None
        if not self.check_top():
            return
        settings = {k: v for k, v in self.raw.items() if k in self.settings}
        spec = self.validate(MonitorFile, settings, ())
        recipients = self.read_items("recipients", RecipientSpec) or Items()
        for index, recipient in recipients.specs:
            self._check_followed(("recipients", index), recipient, workstream_ids)
        # A channel's URL is validated (Apprise knows its scheme) but never
        # resolved here: its ${VAR} references are read when a message goes.
        channels = self.read_items("channels", ChannelSpec) or Items()
        for index, channel in channels.specs:
            self._check_followed(("channels", index), channel.reader, workstream_ids)
        if spec is not None:
            self.spec = spec.model_copy(
                update={
                    "recipients": [r for _, r in recipients.specs],
                    "channels": [c for _, c in channels.specs],
                }
            )

    def _check_followed(self, here: tuple, spec: Recipient, known: set[str] | None) -> None:
        if not spec.workstreams and not spec.owners:
            self.problem(
                here,
                "follows nothing; give workstreams (a list or 'all') or owners (a list of names)",
            )
        if spec.workstreams == "all" or known is None:
            return
        for j, w in enumerate(spec.workstreams):
            if w not in known:
                names = ", ".join(sorted(known))
                self.problem(
                    (*here, "workstreams", j),
                    f"follows unknown workstream {w!r}; use 'all' or some of: {names}",
                )


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Every dependency cycle once, each as the list of ids along it."""
    cycles: list[list[str]] = []
    state: dict[str, str] = {}
    for root in graph:
        if state.get(root):
            continue
        stack, path = [(root, iter(graph[root]))], [root]
        state[root] = "open"
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(child) == "open":
                cycles.append(path[path.index(child) :])
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(graph[child])))
                path.append(child)
    return cycles
