"""The status table at any width: every column's information for every row,
wrapped or stacked, never dropped or cut short (cli/status_table.py)."""

import json
import re

import pytest

from ukjp_monitor.cli.cells import cells, wrap

AS_OF = ("--as-of", "2026-11-24")
JAPANESE = "jp-rare-disease-screening-results-published"
LONG = "long-titled-milestone"

#: Two more milestones: a long Japanese title that is slipped and at risk, and
#: an English title far wider than any column.
TITLE_JA = "希少疾患スクリーニングのパイロット結果を日本の関係者と英国の研究者に公表する"
EXTRA = f"""
  - id: {JAPANESE}
    title: {TITLE_JA} (Japanese results)
    workstream: life-sciences
    target: 2026-11
    forecast: 2026-12
    depends_on: [rare-disease-pilot-start, nanopore-genesis-heads-of-terms]
    owner: Genesis Healthcare
  - id: {LONG}
    title: {"A very long title that goes on and on about the programme " * 3}end
    workstream: governance
    target: 2026-10-01..2027-01-31
"""


@pytest.fixture
def portfolio(run_cli, config_dir):
    with (config_dir / "milestones.yaml").open("a", encoding="utf-8") as f:
        f.write(EXTRA)
    assert run_cli("sync").exit_status == 0
    return run_cli


def table(run_cli, monkeypatch, columns: int) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run_cli("status", *AS_OF)
    assert result.exit_status == 0, result.stderr
    return result.stdout.splitlines()


def rows(run_cli) -> list[dict]:
    return json.loads(run_cli("status", "--format", "json", *AS_OF).stdout)


def squash(text: str) -> str:
    """The text without its spacing (and without the " · " between facts, which
    a stacked row leaves out where it wraps)."""
    return re.sub(r"[\s·]+", "", text)


def expected_when(row: dict) -> str:
    # The table's words for the JSON's numbers (plan.report.when).
    if row["status"] == "completed":
        return f"done {row['completed_on']}"
    if row["status"] == "unscheduled":
        return "no date"
    if row["status"] == "due":
        return f"{row['days_to_end']} days left"
    if row["status"] == "overdue":
        return f"{-row['days_to_end']} days overdue"
    return f"starts in {row['days_to_start']} days"


def window(row: dict) -> str:
    return row["forecast"] or row["target"] or "TBC"


def blocks(lines: list[str]) -> dict[str, list[str]]:
    """Each milestone's lines, from its RAG mark to the next milestone's, a
    workstream's heading or the counts."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[2:]:
        if line.startswith("●"):
            current = [line]
            found[str(len(found))] = current
        elif current is not None and line.startswith(" " * 9) and not _heading(line):
            current.append(line)
        else:
            current = None
    return found


def _heading(line: str) -> bool:
    return line.strip() in {
        "Life sciences",
        "Quantum technologies",
        "Advanced connectivity",
        "Space",
        "Governance and dialogue",
    }


def columns_of(block: list[str], header: str) -> list[str]:
    """The text of each column in a block of the wide layout, its pieces joined
    (positions in terminal cells, so wide characters count twice)."""
    starts = [m.start() for m in re.finditer(r"(?<!\S)\S", header)]
    bounds = [*zip(starts, [*starts[1:], 10_000], strict=True)]
    joined = [""] * len(bounds)
    for line in block:
        laid = "".join(c + "\0" * (cells(c) - 1) for c in line)  # one slot per cell
        for i, (a, b) in enumerate(bounds):
            joined[i] += laid[a:b].replace("\0", "") + " "
    return joined


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_no_line_is_wider_than_the_page(portfolio, monkeypatch, columns):
    for line in table(portfolio, monkeypatch, columns):
        assert cells(line) <= columns, line


@pytest.mark.parametrize("columns", [60, 80])
def test_a_narrow_page_stacks_each_milestone_with_all_it_says(portfolio, monkeypatch, columns):
    found = list(blocks(table(portfolio, monkeypatch, columns)).values())
    wanted = rows(portfolio)
    assert len(found) == len(wanted) == 10
    for block, row in zip(found, wanted, strict=True):
        facts = [row["status"], window(row), expected_when(row)]
        if row["slip_days"]:
            facts.append(f"slip +{row['slip_days']}d")
        risk = "waits on " + ", ".join(row["blocked_by"]) if row["at_risk"] else ""
        text = f"● {row['rag']} {row['title']} {row['id']} {' · '.join(facts)} {risk}"
        assert squash("".join(block)) == squash(text)


def test_at_120_columns_each_column_holds_its_whole_cell(portfolio, monkeypatch):
    lines = table(portfolio, monkeypatch, 120)
    header = lines[1]
    assert header.split() == ["RAG", "Milestone", "Status", "Window", "When", "Slip", "Risk"]
    found = list(blocks(lines).values())
    wanted = rows(portfolio)
    assert len(found) == len(wanted)
    for block, row in zip(found, wanted, strict=True):
        got = [squash(text) for text in columns_of(block, header)]
        assert got == [
            squash(f"● {row['rag']}"),
            squash(row["title"] + row["id"]),
            row["status"],
            squash(window(row)),
            squash(expected_when(row)),
            f"+{row['slip_days']}d" if row["slip_days"] else "",
            squash("waits on " + ", ".join(row["blocked_by"])) if row["at_risk"] else "",
        ]


def test_the_japanese_title_wraps_by_the_width_it_shows_at(portfolio, monkeypatch):
    lines = table(portfolio, monkeypatch, 60)
    japanese = [line for line in lines if "希少" in line or "研究者" in line]
    assert japanese and all(cells(line) <= 60 for line in japanese)
    assert cells("希少疾患") == 8


def test_a_word_wider_than_its_column_breaks_after_a_dash_and_loses_nothing():
    assert wrap("waits on nanopore-genesis-heads-of-terms", 17) == [
        "waits on",
        "nanopore-genesis-",
        "heads-of-terms",
    ]
    assert "".join(wrap("2026-10-01..2027-01-31", 12)) == "2026-10-01..2027-01-31"


def test_a_file_or_pipe_gets_the_wide_layout_without_colour(portfolio):
    out = portfolio("status", *AS_OF).stdout
    assert out.splitlines()[1].split()[-1] == "Risk"
    assert "\x1b[" not in out
    assert max(cells(line) for line in out.splitlines()) <= 140
