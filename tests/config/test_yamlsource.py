"""Reading YAML: data too deep or aliases too large are refused at once, on
their line, before anything reads them on (DESIGN §4: exit 2, nothing written)."""

from __future__ import annotations

import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from conftest import snapshot
from ukjp_monitor.config.yamlbuild import MAX_DEPTH
from ukjp_monitor.config.yamlsource import read_yaml
from ukjp_monitor.errors import ConfigError

PLAN = "milestones.yaml"
SPACE_NOTES = (
    '    notes: Leaders agreed "to establish a new space consultation". No date announced.\n'
)
CLOSING = "1 problem found; nothing was written"
#: A milestone's notes are on level 3: the file, the milestones, the milestone.
NOTES_LEVEL = 3


def replace_notes(config_dir: Path, value: str) -> tuple[Path, int]:
    """Give the space consultation ``value`` as notes; the file and the notes' line."""
    path = config_dir / PLAN
    text = path.read_text(encoding="utf-8")
    assert text.count(SPACE_NOTES) == 1
    path.write_text(text.replace(SPACE_NOTES, f"    notes: {value}\n"), encoding="utf-8")
    return path, text[: text.index(SPACE_NOTES)].count("\n") + 1


def nested_lists(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_mappings(levels: int) -> str:
    """Block mappings ``levels`` deep under a key on level NOTES_LEVEL; each
    level starts on a line of its own."""
    indent = " " * 6
    return "".join(f"\n{indent}{' ' * i}k{i}:" for i in range(levels)) + " end"


def nothing_written(database_url: str) -> bool:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return not Path(url.database).exists()
    return snapshot(database_url) == {}


@pytest.mark.parametrize("command", ["validate", "sync", "run"])
def test_lists_nested_a_thousand_levels_deep_are_refused_on_their_line(
    command, run_cli, config_dir, database_url
):
    path, line = replace_notes(config_dir, nested_lists(1000))

    result = run_cli(command)

    assert result.exit_status == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"{path}:{line}: lists and mappings are nested too deeply here (more than 100 levels)",
        CLOSING,
    ]
    assert nothing_written(database_url)


def test_mappings_nested_five_hundred_levels_deep_are_refused_where_the_limit_is_passed(
    run_cli, config_dir
):
    path, line = replace_notes(config_dir, nested_mappings(500))

    result = run_cli("validate")

    assert result.exit_status == 2, result.stderr
    # Level L starts on the line after level L - 1's key.
    first_refused = line + (MAX_DEPTH + 1 - NOTES_LEVEL)
    assert result.stderr.splitlines() == [
        f"{path}:{first_refused}: lists and mappings are nested too deeply here "
        "(more than 100 levels)",
        CLOSING,
    ]


def test_lists_nested_exactly_to_the_limit_are_read_whole(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(nested_lists(MAX_DEPTH), encoding="utf-8")
    data, flaws = read_yaml(path, "deep.yaml")
    levels = 0
    while isinstance(data, list):
        levels, data = levels + 1, data[0] if data else None
    assert (levels, flaws) == (MAX_DEPTH, [])


def test_an_alias_that_would_nest_past_the_limit_is_refused_where_it_is_used(tmp_path):
    # Each anchor holds 60 levels: fine alone, too deep once one holds the other.
    path = tmp_path / "aliases.yaml"
    path.write_text(
        f"a: &a {nested_lists(60)}\nb: {'[' * 50}*a{']' * 50}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        read_yaml(path, "aliases.yaml")
    assert refused.value.problems == [
        "aliases.yaml:2: the alias *a nests lists and mappings too deeply here "
        "(more than 100 levels)"
    ]


def alias_bomb(levels: int = 9) -> tuple[str, str]:
    """The "billion laughs" (each anchor nine aliases of the one before) and
    the last anchor's name."""
    names = "abcdefghijklmnopqrstuvwxyz"[:levels]
    lines = ["    extra:", f"      - &{names[0]} [{', '.join(['lol'] * 9)}]"]
    lines += [f"      - &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in pairwise(names)]
    return "\n".join(lines) + "\n", names[-1]


def run_in_subprocess(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ukjp_monitor", *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "key"),
    [("validate", "notes"), ("validate", "depends_on"), ("sync", "notes"), ("run", "notes")],
)
def test_an_alias_bomb_is_refused_at_once_with_one_line_naming_file_and_line(
    command, key, config_dir, database_url
):
    bomb, last = alias_bomb()
    path = config_dir / PLAN
    text = path.read_text(encoding="utf-8")
    text = text.replace(SPACE_NOTES, f"{bomb}    {key}: *{last}\n")
    path.write_text(text, encoding="utf-8")
    first = text[: text.index(bomb)].count("\n") + 1
    bomb_lines = range(first, first + bomb.count("\n"))

    result = run_in_subprocess(command, "--config-dir", str(config_dir), "--db", database_url)

    assert result.returncode == 2, result.stderr
    problem, closing = result.stderr.splitlines()
    where, _, message = problem.partition(": ")
    assert where.rpartition(":")[0] == str(path)
    assert int(where.rpartition(":")[2]) in bomb_lines
    assert message.startswith("the alias *")
    assert "aliases may add at most 1,000,000 to a file" in message
    assert closing == CLOSING
    assert nothing_written(database_url)
