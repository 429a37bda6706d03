"""sync of milestones imported from a CSV file or an Excel sheet: one transaction,
as for YAML; an unchanged file is not read again, an edited one is."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conftest import SHIPPED_CONFIG, snapshot
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.settings import Settings

EXAMPLES = SHIPPED_CONFIG / "examples"


@pytest.fixture
def funder_dir(tmp_path) -> Path:
    """A private copy of the shipped example of a funder (config/examples)."""
    return Path(shutil.copytree(EXAMPLES, tmp_path / "funder"))


@pytest.fixture
def funder(database_url, funder_dir, tmp_path, clock):
    m = Monitor(
        Settings(
            database_url=database_url,
            config_dir=funder_dir,
            outbox_dir=tmp_path / "outbox",
            actor="tester",
            clock=clock,
        )
    )
    yield m
    m.close()


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.reader(source))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


def test_the_shipped_example_of_a_funder_syncs_every_row(funder):
    report = funder.sync()
    assert report.counts["added"] == 14
    assert (report.counts["completed"], report.counts["cancelled"]) == (3, 1)
    opened = funder.show("gr-2026-0006-open").assessment.milestone
    assert set(opened.depends_on) == {"gr-2026-0006-install", "gr-2026-0003-ethics"}
    assert funder.show("gr-2026-0002-start").assessment.milestone.owner_ja == "佐藤 健"


def test_a_sync_leaves_the_cycle_collector_running_as_it_found_it(funder):
    import gc

    assert gc.isenabled()
    funder.sync()
    assert gc.isenabled()


def test_a_resync_of_an_unchanged_file_is_skipped(funder):
    funder.sync()
    assert funder.sync().skipped


def test_an_edit_to_the_csv_alone_is_read_and_recorded(funder, funder_dir):
    funder.sync()
    rows = rows_of(funder_dir / "grants.csv")
    title = rows[0].index("title")
    rows[1][title] = "Fellowship starts: photonic qubit links"
    write_rows(funder_dir / "grants.csv", rows)
    report = funder.sync()
    assert not report.skipped
    assert report.counts == {"updated": 1}
    shown = funder.show("gr-2026-0001-start").assessment.milestone
    assert shown.title == "Fellowship starts: photonic qubit links"


def test_a_row_removed_from_the_csv_is_retired_not_deleted(funder, funder_dir):
    funder.sync()
    rows = rows_of(funder_dir / "grants.csv")
    write_rows(funder_dir / "grants.csv", [r for r in rows if r[0] != "gr-2026-0004-data"])
    assert funder.sync().counts == {"retired": 1}


def test_a_sheet_of_a_workbook_syncs_like_the_csv(funder, funder_dir):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Milestones"
    for row in rows_of(funder_dir / "grants.csv"):
        sheet.append([cell or None for cell in row])
    completed = rows_of(funder_dir / "grants.csv")[0].index("completed_on")
    sheet.cell(row=2, column=completed + 1, value=datetime(2026, 4, 1))  # a date cell
    workbook.save(funder_dir / "grants.xlsx")
    plan = funder_dir / "milestones.yaml"
    plan.write_text(
        plan.read_text().replace(
            "  file: grants.csv\n", "  file: grants.xlsx\n  sheet: Milestones\n"
        )
    )
    assert funder.sync().counts["added"] == 14
    assert str(funder.show("gr-2026-0001-start").assessment.milestone.completed_on) == "2026-04-01"


def test_a_bad_row_makes_sync_exit_2_with_the_message_and_write_nothing(
    run_cli, funder_dir, database_url
):
    run = ("sync", "--config-dir", funder_dir, "--db", database_url)
    assert run_cli(*run, db=False).exit_status == 0
    before = snapshot(database_url)
    rows = rows_of(funder_dir / "grants.csv")
    target, workstream = rows[0].index("target"), rows[0].index("workstream")
    rows[2][target] = "after the summer"
    rows[5][workstream] = "physics"
    rows[7].append("stray")
    write_rows(funder_dir / "grants.csv", rows)
    result = run_cli(*run, db=False)
    assert result.exit_status == 2
    csv_file = f"{funder_dir}/grants.csv"
    assert f"{csv_file}:3: milestone gr-2026-0001-interim: target: 'after the summer'" in (
        result.stderr
    )
    assert f"{csv_file}:6: milestone gr-2026-0002-exchange: workstream: unknown workstream" in (
        result.stderr
    )
    assert f"{csv_file}:8: column 17 holds a value but has no name in row 1" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(database_url) == before
