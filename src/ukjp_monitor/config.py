"""Configuration: ``milestones.yaml`` and ``monitor.yaml`` into validated specs.

``load_config`` is the only entry point and the only reader of YAML. It
checks everything before anything is written and reports every mistake at
once, each as ``FILE:LINE: SUBJECT: what is wrong and what is accepted``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ukjp_monitor.errors import ConfigError
from ukjp_monitor.specs import (
    MailSpec,
    MilestoneSpec,
    MonitorFile,
    ProgrammeSpec,
    RecipientSpec,
    SchedulesSpec,
    WorkstreamSpec,
)
from ukjp_monitor.yamlsource import LineDict, LineList, line_of, read_yaml

MILESTONES_FILE = "milestones.yaml"
MONITOR_FILE = "monitor.yaml"


@dataclass(frozen=True)
class Config:
    """The whole, valid configuration."""

    directory: Path
    programme: ProgrammeSpec
    workstreams: tuple[WorkstreamSpec, ...]
    milestones: tuple[MilestoneSpec, ...]
    monitor: MonitorFile

    def lead_days(self, milestone: MilestoneSpec) -> int:
        """The milestone's own lead time, else the monitor's default."""
        if milestone.lead_days is not None:
            return milestone.lead_days
        return self.monitor.lead_days


def load_config(directory: Path) -> Config:
    """Read and validate both files; ConfigError lists every problem found."""
    plan = _PlanReader(directory / MILESTONES_FILE)
    monitor = _MonitorReader(directory / MONITOR_FILE, plan.workstream_ids)
    problems = plan.problems + monitor.problems
    if problems:
        raise ConfigError(problems)
    return Config(
        directory=directory,
        programme=plan.programme,
        workstreams=tuple(plan.workstreams),
        milestones=tuple(plan.milestones),
        monitor=monitor.spec,
    )


class _Reader:
    """Shared machinery: read the file, validate items, word the problems."""

    sections: dict[str, type[BaseModel]] = {}

    def __init__(self, path: Path):
        self.display = str(path)
        self.problems: list[str] = []
        try:
            self.raw = read_yaml(path, self.display)
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            self.raw = None

    def problem(self, path: tuple, subject: str | None, message: str) -> None:
        line = line_of(self.raw, path)
        prefix = f"{self.display}:{line}: "
        self.problems.append(prefix + (f"{subject}: {message}" if subject else message))

    def check_top(self, required: Iterable[str]) -> bool:
        if self.raw is None and not self.problems:
            self.problem((), None, f"the file is empty; it needs {', '.join(self.sections)}")
        if self.raw is None:
            return False
        if not isinstance(self.raw, LineDict):
            self.problem((), None, f"must be a mapping with {', '.join(self.sections)}")
            return False
        for key in self.raw:
            if key not in self.sections:
                self.problem((key,), None, f"unknown key {key!r}; {_accepted(self.sections)}")
        for key in required:
            if key not in self.raw:
                self.problem((), None, f"{key!r} is required")
        return True

    def validate(self, model: type[BaseModel], data: Any, path: tuple, subject: str | None):
        """Validate one item; on failure record its problems and return None."""
        if data is None and path:
            data = {}
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = tuple(error["loc"])
                self.problem(path + loc, subject, _describe(error, loc, model))
            return None

    def items(self, key: str) -> list[tuple[int, Any]]:
        value = self.raw.get(key) if isinstance(self.raw, LineDict) else None
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.problem((key,), None, f"{key!r} must be a list")
            return []
        return list(enumerate(value))


class _PlanReader(_Reader):
    sections = {"programme": ProgrammeSpec, "workstreams": WorkstreamSpec,
                "milestones": MilestoneSpec}

    def __init__(self, path: Path):
        super().__init__(path)
        self.programme = None
        self.workstreams: list[WorkstreamSpec] = []
        self.milestones: list[MilestoneSpec] = []
        self.workstream_ids: set[str] | None = None
        if not self.check_top(self.sections):
            return
        self.programme = self.validate(ProgrammeSpec, self.raw.get("programme"),
                                       ("programme",), "programme")
        self.workstreams = self._read_items("workstreams", WorkstreamSpec, "workstream")
        self.milestones = self._read_items("milestones", MilestoneSpec, "milestone")
        self.workstream_ids = {w.id for w in self.workstreams}
        self._check_references()

    def _read_items(self, key: str, model: type[BaseModel], noun: str) -> list:
        specs, seen = [], {}
        self.positions: dict[str, dict[str, int]] = getattr(self, "positions", {})
        positions = self.positions.setdefault(key, {})
        for index, raw in self.items(key):
            name = raw.get("id") if isinstance(raw, dict) else None
            subject = f"{noun} {name}" if isinstance(name, str) else f"{noun} #{index + 1}"
            spec = self.validate(model, raw, (key, index), subject)
            if spec is None:
                continue
            if spec.id in seen:
                first = line_of(self.raw, (key, seen[spec.id]))
                self.problem((key, index), subject, f"the id is already used on line {first}")
                continue
            seen[spec.id] = positions[spec.id] = index
            specs.append(spec)
        return specs

    def _check_references(self) -> None:
        ids = {m.id for m in self.milestones}
        at = self.positions.get("milestones", {})
        for m in self.milestones:
            where = ("milestones", at[m.id])
            if m.workstream not in self.workstream_ids:
                known = ", ".join(sorted(self.workstream_ids)) or "none defined"
                self.problem(where + ("workstream",), f"milestone {m.id}",
                             f"unknown workstream {m.workstream!r}; known: {known}")
            for dep in m.depends_on:
                if dep == m.id:
                    self.problem(where + ("depends_on",), f"milestone {m.id}",
                                 "depends on itself")
                elif dep not in ids:
                    self.problem(where + ("depends_on",), f"milestone {m.id}",
                                 f"depends on {dep!r}, which is not a milestone in this file")
        for cycle in find_cycles({m.id: [d for d in m.depends_on if d in ids and d != m.id]
                                  for m in self.milestones}):
            self.problem(("milestones", at[cycle[0]], "depends_on"), f"milestone {cycle[0]}",
                         "dependencies form a cycle: " + " → ".join(cycle + [cycle[0]]))


class _MonitorReader(_Reader):
    sections = {"lead_days": None, "schedules": SchedulesSpec, "mail": MailSpec,
                "recipients": RecipientSpec}

    def __init__(self, path: Path, workstream_ids: set[str] | None):
        super().__init__(path)
        self.spec = None
        if not self.check_top(()):
            return
        top = {k: v for k, v in self.raw.items() if k != "recipients"}
        self.spec = self.validate(MonitorFile, top, (), None)
        recipients, seen = [], {}
        for index, raw in self.items("recipients"):
            name = raw.get("email") if isinstance(raw, dict) else None
            subject = f"recipient {name}" if isinstance(name, str) else f"recipient #{index + 1}"
            spec = self.validate(RecipientSpec, raw, ("recipients", index), subject)
            if spec is None:
                continue
            if spec.email in seen:
                self.problem(("recipients", index), subject,
                             f"is already listed on line {seen[spec.email]}")
                continue
            seen[spec.email] = line_of(self.raw, ("recipients", index))
            self._check_followed(spec, index, subject, workstream_ids)
            recipients.append(spec)
        if self.spec is not None:
            self.spec = self.spec.model_copy(update={"recipients": recipients})

    def _check_followed(self, spec, index, subject, workstream_ids) -> None:
        if spec.workstreams == "all" or workstream_ids is None:
            return
        for w in spec.workstreams:
            if w not in workstream_ids:
                known = ", ".join(sorted(workstream_ids))
                self.problem(("recipients", index, "workstreams"), subject,
                             f"follows unknown workstream {w!r}; use 'all' or some of: {known}")


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Every dependency cycle once, each as the list of ids along it."""
    cycles, state = [], {}
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
                cycles.append(path[path.index(child):])
            elif child not in state:
                state[child] = "open"
                stack.append((child, iter(graph[child])))
                path.append(child)
    return cycles


def _accepted(fields: dict | type[BaseModel]) -> str:
    if isinstance(fields, dict):
        names = list(fields)
    else:
        names = [f.alias or name for name, f in fields.model_fields.items()]
    return "accepted keys: " + ", ".join(names)


def _describe(error: dict, loc: tuple, model: type[BaseModel]) -> str:
    field = ".".join(str(part) for part in loc if isinstance(part, str)) or "value"
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}; {_accepted(_model_at(model, loc[:-1]))}"
    if kind == "missing":
        return f"{field!r} is required"
    message = message.removeprefix("Value error, ")
    if kind != "value_error":
        message = f"{message[0].lower()}{message[1:]}, got {error.get('input')!r}"
    return f"{field}: {message}"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel]:
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return model
