"""Configuration: ``milestones.yaml`` and ``monitor.yaml`` into validated specs.

``load_config`` is the only entry point and, through ``sections``, the only
reader of YAML; the milestones may instead be imported from a CSV file or an
Excel sheet that milestones.yaml names (``tables``), each row checked by the
same model and rules as an item of the YAML list. It checks everything
before anything is written and reports every mistake at once, each as
``FILE:LINE: SUBJECT: what is wrong and what is accepted``, where the
subject (``milestone ID``, ``workstream ID``, ``recipient EMAIL``,
``programme``) is left out for file-wide settings; a row of a table reads
``FILE:ROW: milestone ID: COLUMN: ...``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from ukjp_monitor import __version__
from ukjp_monitor.config.cycles import find_cycles
from ukjp_monitor.config.monitorfile import MonitorFile
from ukjp_monitor.config.monitorreader import MONITOR_FILE, NEEDED, MonitorReader
from ukjp_monitor.config.sections import Items, Reader, Section, name_of
from ukjp_monitor.config.specs import ConfiguredMilestone, ProgrammeSpec, WorkstreamSpec
from ukjp_monitor.config.spreadsheets import Table, expected_rows
from ukjp_monitor.config.tables import read_rows, table_reference
from ukjp_monitor.config.yamlsource import LineDict, LineList, imported_file, line_of
from ukjp_monitor.errors import ConfigError
from ukjp_monitor.plan.meter import Advance, Meter, silent

#: The columns of an imported table: the keys of a milestone in YAML.
MILESTONE_COLUMNS = tuple(f.name for f in fields(ConfiguredMilestone) if f.init)
REQUIRED_COLUMNS = tuple(
    f.name
    for f in fields(ConfiguredMilestone)
    if f.init and f.default is MISSING and f.default_factory is MISSING
)
MILESTONES_FILE = "milestones.yaml"


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


def load_config(directory: Path, *, now: datetime, meter: Meter = silent) -> Config:
    """Read and validate both files; ConfigError lists every problem found.

    ``now`` (the monitor's clock) is when the files are read: a completion
    they record must not be dated after today in the programme's time zone.
    ``meter`` is told how far reading and checking the milestones has got.
    """
    plan = _PlanReader(directory / MILESTONES_FILE, now, meter)
    monitor = MonitorReader(directory / MONITOR_FILE, plan.workstream_ids)
    problems = plan.problems + monitor.problems
    if problems or plan.programme is None or monitor.spec is None:
        raise ConfigError(problems)
    return Config(
        directory=directory,
        programme=plan.programme,
        workstreams=tuple(spec for _, spec in plan.workstreams.specs),
        milestones=tuple(map(itemgetter(1), plan.milestones.specs)),
        monitor=monitor.spec,
    )


def fingerprint(directory: Path) -> str | None:
    """SHA-256 of both files' bytes (and of the table the milestones are
    imported from, if they are), as read by this version; None if one cannot be read.

    Equal fingerprints mean a sync would read exactly what the last one did.
    The version is part of it because a release may read the same bytes
    differently. Hashing 16 MB takes 20 ms; parsing it, seconds.
    """
    digest = hashlib.sha256(f"ukjp-monitor {__version__}\n".encode())
    imported = None
    for name in (MILESTONES_FILE, MONITOR_FILE):
        try:
            data = (directory / name).read_bytes()
        except OSError:
            return None
        digest.update(b"%d\n" % len(data))
        digest.update(data)
        if name == MILESTONES_FILE:
            imported = imported_file(data, "milestones")
    if imported is not None:
        # The table the milestones come from is part of what a sync reads.
        try:
            with (directory / imported.strip()).open("rb") as table:
                for chunk in iter(lambda: table.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            return None
    return digest.hexdigest()


def load_monitor(directory: Path, workstream_ids: set[str]) -> MonitorFile:
    """Only ``monitor.yaml``, for commands that take the plan from the database.

    ``check`` and ``digest`` need recipients and mail settings, not the plan;
    a funder's milestones.yaml is most of their cost to parse.
    """
    monitor = MonitorReader(directory / MONITOR_FILE, workstream_ids)
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

    def __init__(self, path: Path, now: datetime, meter: Meter):
        self.meter = meter
        #: The spreadsheet the milestones are imported from, if they are, and
        #: the problems found in it (reported after milestones.yaml's own).
        self.table: Table | None = None
        self.table_found: list[tuple[int, str]] = []
        self.table_unfinished = False
        super().__init__(path, meter=meter)
        self.programme = None
        self.workstreams, self.milestones = Items(), Items()
        #: None when the workstreams cannot be known, so references are not checked.
        self.workstream_ids: set[str] | None = None
        if not self.check_top():
            return
        self.programme = self.validate(ProgrammeSpec, self.raw.get("programme"), ("programme",))
        self._read_workstreams()
        self.milestones = self._read_milestones(path.parent)
        if not self.table_unfinished:
            # Rows never read would be taken for missing dependencies.
            self._check_references()
        if self.programme is not None:
            self._check_completions(now.astimezone(ZoneInfo(self.programme.timezone)).date())

    @property
    def problems(self) -> list[str]:
        return super().problems + [text for _, text in sorted(self.table_found, key=itemgetter(0))]

    def problem(self, path: tuple, message: str, *, line: int | None = None) -> None:
        """A problem in an imported row reads ``FILE:ROW: milestone ID: COLUMN: ...``."""
        if self.table is None or path[:1] != ("milestones",) or len(path) < 2:
            super().problem(path, message, line=line)
            return
        row = line_of(self.raw, path) if line is None else line
        subject = self.subject(path) if name_of(self.raw["milestones"][path[1]], "id") else None
        column = path[2] if len(path) > 2 and isinstance(path[2], str) else None
        if column:
            message = f"{column}: {message.removeprefix(f'{column}: ')}"
        about = subject or "a milestone without an id"
        self.table_found.append((row, f"{self.table.display}:{row}: {about}: {message}"))

    def place(self, key: str, line: int) -> str:
        return f"row {line}" if self.table is not None and key == "milestones" else f"line {line}"

    def _read_milestones(self, directory: Path) -> Items:
        """The milestones listed in this file, or read from the table it names."""
        given = self.raw.get("milestones")
        if not isinstance(given, LineDict):
            listed = len(given) if isinstance(given, LineList) else None
            with self.meter("checking milestones", listed) as advance:
                items = self.read_items("milestones", ConfiguredMilestone, advance=advance)
            return items or Items()
        table, problems = table_reference(given, directory)
        for key, message in problems:
            line = given.key_lines.get(key, given.line) if key else self.raw.key_lines["milestones"]
            self.problem(("milestones",), f"milestones: {message}", line=line)
        if table is None:
            return Items()
        self.table = table
        self.raw["milestones"] = LineList(line=given.line)
        rows = read_rows(table, MILESTONE_COLUMNS, REQUIRED_COLUMNS, self._found_in_table)
        with self.meter(f"reading {table.path.name}", expected_rows(table)) as advance:
            counted = _counted(rows, advance)
            items = self.read_items("milestones", ConfiguredMilestone, self._guarded(counted))
        return items or Items()

    def _found_in_table(self, row: int, message: str) -> None:
        assert self.table is not None
        self.table_found.append((row, f"{self.table.display}:{row}: {message}"))

    def _guarded(self, rows: Iterator[tuple[int, dict]]) -> Iterator[tuple[int, dict]]:
        """The rows until the file proves unreadable, which is recorded as found."""
        try:
            yield from rows
        except ConfigError as exc:
            self.table_unfinished = True
            self.table_found.extend((0, problem) for problem in exc.problems)

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
        known, workstreams = set(self.milestones.claimed), self.workstream_ids
        given: dict[str, tuple[str, ...]] = {}
        for index, m in self.milestones.specs:
            if workstreams is not None and m.workstream not in workstreams:
                names = ", ".join(sorted(workstreams))
                self.problem(
                    ("milestones", index, "workstream"),
                    f"unknown workstream {m.workstream!r}; known: {names}",
                )
            if not m.depends_on:
                continue
            # Only a milestone that depends on another can be on a cycle, and
            # most of a funder's depend on none: the graph leaves them out.
            given[m.id] = m.depends_on
            for j, dep in enumerate(m.depends_on):
                message = _dependency_problem(m, j, dep, known)
                if message:
                    self.problem(("milestones", index, "depends_on", j), message)
        graph = {mid: [d for d in deps if d in given and d != mid] for mid, deps in given.items()}
        cycles = find_cycles(graph)
        index_of = {m.id: i for i, m in self.milestones.specs} if cycles else {}
        for cycle in cycles:
            around = " → ".join([*cycle, cycle[0]])
            self.problem(
                ("milestones", index_of[cycle[0]], "depends_on"),
                f"dependencies form a cycle, {around}; remove one of them",
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


#: How many rows of a table are read between two reports to the meter.
_ROWS_A_STEP = 500


def _counted(rows: Iterator[tuple[int, dict]], advance: Advance) -> Iterator[tuple[int, dict]]:
    """``rows`` as they are, telling ``advance`` how many rows after the
    header (row 1) each has got to."""
    told = number = 1
    for number, row in rows:
        if number - told >= _ROWS_A_STEP:
            advance(number - told)
            told = number
        yield number, row
    advance(number - told)


def _dependency_problem(m: ConfiguredMilestone, j: int, dep: str, known: set[str]) -> str | None:
    if dep == m.id:
        return f"depends on itself; remove {dep!r} from depends_on"
    if dep in m.depends_on[:j]:
        return f"lists {dep!r} twice in depends_on; give each dependency once"
    if dep not in known:
        return f"depends on {dep!r}, which is not a milestone in this file"
    return None
