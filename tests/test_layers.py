"""The folders are the layers (DESIGN §10): every import, lazy ones included,
points up the list or within its own layer, and no module imports itself
back through others."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "ukjp_monitor"
#: Top to bottom: a module may import its own layer and the layers above it.
LAYERS = ("top", "plan", "config", "store", "notify", "jobs", "cli", "web")
#: Pairs of layers that must not import each other, whatever their order.
APART = {frozenset({"store", "notify"}), frozenset({"cli", "web"})}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "flows":
        return "flows"
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "top"


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """Every module ``path`` imports from the package, at any depth of the code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from ukjp_monitor.store import queries`` imports the module
            # queries; ``from ukjp_monitor.store.queries import load_plan``
            # the module that defines load_plan.
            found += [
                (node.lineno, f"{base}.{alias.name}")
                if f"{base}.{alias.name}" in MODULE_NAMES
                else (node.lineno, base)
                for alias in node.names
            ]
    return [(line, name) for line, name in found if name.split(".")[0] in ("ukjp_monitor", "flows")]


def known_modules() -> dict[str, Path]:
    sources = [*PACKAGE.rglob("*.py"), *(ROOT / "flows").glob("*.py")]
    modules = {}
    for path in sources:
        if "migrations" in path.parts:
            continue
        if path.parts[-2] == "flows":
            name = "flows" if path.name == "__init__.py" else f"flows.{path.stem}"
        else:
            name = module_name(path)
        modules[name] = path
    return modules


MODULES = known_modules()
MODULE_NAMES = frozenset(MODULES)


def graph() -> dict[str, list[tuple[int, str]]]:
    """Module → the package modules it imports (names that are not modules,
    such as ``from x import SomeClass``, resolve to ``x``)."""
    edges = {}
    for name, path in MODULES.items():
        targets = []
        for line, imported in imports_of(path, name):
            while imported and imported not in MODULES:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.append((line, imported))
        edges[name] = targets
    return edges


def wrong_way(source: str, target: str) -> bool:
    a, b = layer_of(source), layer_of(target)
    if a == "flows":
        return b not in ("jobs", "top", "flows")
    if b == "flows" or frozenset({a, b}) in APART:
        return True
    return LAYERS.index(b) > LAYERS.index(a)


def test_every_module_belongs_to_a_layer_folder():
    loose = [n for n in MODULES if layer_of(n) == "top" and n.count(".") == 1]
    assert sorted(loose) == [
        "ukjp_monitor.__main__",
        "ukjp_monitor.errors",
        "ukjp_monitor.settings",
    ]


def test_no_import_goes_against_the_direction_of_the_layers():
    against = [
        f"{MODULES[source].relative_to(ROOT)}:{line}: {source} imports {target}"
        for source, targets in graph().items()
        for line, target in targets
        if wrong_way(source, target) and not source.endswith("__main__")
    ]
    assert against == []


def test_there_is_no_import_cycle():
    edges = {source: {t for _, t in targets} for source, targets in graph().items()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for child in sorted(edges.get(node, ())):
            if state.get(child) == "open":
                cycles.append(" → ".join([*path[path.index(child) :], child]))
            elif child not in state:
                visit(child, [*path, child])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("ukjp_monitor.cli.app", "ukjp_monitor.jobs.monitor", True),
        ("ukjp_monitor.plan.status", "ukjp_monitor.plan.periods", True),
        ("ukjp_monitor.store.ledger", "ukjp_monitor.notify.letters", False),
        ("ukjp_monitor.notify.compose", "ukjp_monitor.store.queries", False),
        ("ukjp_monitor.plan.report", "ukjp_monitor.cli.tables", False),
        ("ukjp_monitor.web.app", "ukjp_monitor.cli.app", False),
        ("flows.check", "ukjp_monitor.jobs.monitor", True),
        ("flows.check", "ukjp_monitor.store.queries", False),
    ],
)
def test_the_rule_itself_allows_down_the_list_and_refuses_the_rest(source, target, allowed):
    assert wrong_way(source, target) is not allowed
