"""The use cases tell the meter they are given what they count (plan/meter.py);
by default they are given one that shows nothing."""

import csv
import shutil
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from conftest import SHIPPED_CONFIG
from ukjp_monitor.jobs.monitor import Monitor
from ukjp_monitor.plan.meter import silent

AS_OF = date(2026, 11, 24)
#: More rows than the importer reads between two reports to its meter.
GRANTS = 1_234


class Recording:
    """A meter that keeps each piece of work: its label, total and what was advanced."""

    def __init__(self):
        self.work: list[list] = []

    @contextmanager
    def __call__(self, label, total):
        entry = [label, total, 0]
        self.work.append(entry)

        def advance(n):
            entry[2] += n

        yield advance

    def counted(self) -> dict[str, tuple]:
        return {label: (total, done) for label, total, done in self.work}


def test_a_monitor_shows_nothing_unless_given_a_meter(settings):
    assert Monitor(settings).meter is silent


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_sync_counts_the_lines_read_the_milestones_checked_and_those_written(settings):
    meter = Recording()
    Monitor(settings, meter=meter).sync()
    lines = lines_of(settings.config_dir / "milestones.yaml")
    assert meter.counted() == {
        "reading milestones.yaml": (lines, lines),
        "checking milestones": (8, 8),
        "syncing milestones": (8, 8),
    }


def test_check_reports_its_steps_and_every_alert_sent(settings):
    meter = Recording()
    monitor = Monitor(settings, meter=meter)
    monitor.sync()
    report = monitor.check(as_of=AS_OF)
    counted = meter.counted()
    assert counted["assessing milestones"] == (None, 0)
    assert counted["recording transitions"] == (None, 0)
    sent = report.alerts.counts()["sent"]
    assert sent > 0 and counted["sending alerts"] == (sent, sent)


def test_a_calendar_export_counts_every_milestone(settings):
    meter = Recording()
    monitor = Monitor(settings, meter=meter)
    monitor.sync()
    monitor.export("ics", as_of=AS_OF)
    assert meter.counted()["exporting calendar events"] == (8, 8)


@pytest.fixture
def funder(settings, tmp_path):
    """The shipped funder's example with GRANTS rows in its grants.csv."""
    config = Path(shutil.copytree(SHIPPED_CONFIG / "examples", tmp_path / "funder"))
    with (config / "grants.csv").open(encoding="utf-8", newline="") as source:
        header, first, *_ = csv.reader(source)
    with (config / "grants.csv").open("w", encoding="utf-8", newline="") as target:
        rows = csv.writer(target)
        rows.writerow(header)
        rows.writerows([f"grant-{i}", *first[1:]] for i in range(GRANTS))
    return replace(settings, config_dir=config)


def test_an_imported_table_is_counted_row_by_row_against_its_lines(funder):
    meter = Recording()
    Monitor(funder, meter=meter).sync()
    counted = meter.counted()
    assert counted["reading grants.csv"] == (GRANTS, GRANTS)
    assert counted["syncing milestones"] == (GRANTS, GRANTS)


def test_a_cell_holding_a_line_break_leaves_the_count_short_of_the_lines(funder):
    grants = funder.config_dir / "grants.csv"
    with grants.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    rows[7][rows[0].index("notes")] = "Grant GR-2026-0001\nsecond year"
    with grants.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(rows)
    meter = Recording()
    Monitor(funder, meter=meter).sync()
    assert meter.counted()["reading grants.csv"] == (GRANTS + 1, GRANTS)


def test_an_imported_sheet_is_counted_row_by_row_with_no_total(funder):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Milestones"
    with (funder.config_dir / "grants.csv").open(encoding="utf-8", newline="") as source:
        for row in csv.reader(source):
            sheet.append([cell or None for cell in row])
    workbook.save(funder.config_dir / "grants.xlsx")
    plan = funder.config_dir / "milestones.yaml"
    plan.write_text(plan.read_text().replace("file: grants.csv", "file: grants.xlsx"))
    meter = Recording()
    Monitor(funder, meter=meter).sync()
    assert meter.counted()["reading grants.xlsx"] == (None, GRANTS)
