"""Milestones imported from a CSV file or an Excel sheet are validated as YAML milestones are.

Every mistake is reported at once as ``FILE:ROW: milestone ID: COLUMN: ...``,
where ROW is the row a spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import TODAY
from ukjp_monitor.config.loader import fingerprint, load_config
from ukjp_monitor.errors import ConfigError

HEADER = ["id", "title", "workstream", "target", "owner", "depends_on"]
PROGRAMME = """\
programme:
  name: Example Research Council
workstreams:
  - id: quantum
    name: Quantum fellowships
  - id: health
    name: Health research
"""
MONITOR = """\
recipients:
  - email: portfolio@example.org
    workstreams: all
"""
PAST = (TODAY - timedelta(days=30)).date()
FUTURE = (TODAY + timedelta(days=30)).date()
ROWS = [
    ["gr-1-start", "Fellowship starts", "quantum", "2026-04", "Dr Hart", ""],
    ["gr-1-report", "Interim report", "quantum", "H2 2026", "Dr Hart", "gr-1-start"],
    ["gr-2-ethics", "Ethics approval", "health", "TBC", "Prof. Okafor", "gr-1-start;gr-1-report"],
]


def write_plan(folder: Path, milestones: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "milestones.yaml").write_text(PROGRAMME + milestones, encoding="utf-8")
    (folder / "monitor.yaml").write_text(MONITOR, encoding="utf-8")
    return folder


def write_csv(path: Path, rows: list[list[str]], *, header=HEADER, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    """A configuration folder whose milestones come from grants.csv (ROWS)."""
    folder = write_plan(tmp_path / "funder", "milestones:\n  file: grants.csv\n")
    write_csv(folder / "grants.csv", ROWS)
    return folder


def load(folder: Path):
    return load_config(folder, now=TODAY)


def problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(folder)
    prefix = str(folder) + "/"
    return [p.removeprefix(prefix) for p in caught.value.problems]


def test_each_row_of_the_csv_becomes_a_milestone(folder):
    config = load(folder)
    assert [m.id for m in config.milestones] == ["gr-1-start", "gr-1-report", "gr-2-ethics"]
    report = config.milestones[1]
    assert (report.title, report.workstream, report.owner) == (
        "Interim report",
        "quantum",
        "Dr Hart",
    )
    assert str(report.target) == "2026-H2"


def test_semicolons_separate_the_dependencies_in_one_cell(folder):
    assert load(folder).milestones[2].depends_on == ("gr-1-start", "gr-1-report")


def test_a_row_validates_into_exactly_the_milestone_its_yaml_would(folder, tmp_path):
    header = [*HEADER, "lead_days", "amount", "notes", "forecast", "completed_on", "cancelled"]
    header += ["title_ja", "owner_ja", "notes_ja", "source"]
    row = [*ROWS[1], "45", "£1,250,000", "Grant GR-2026-0001, year 1", "2027-Q1", str(PAST)]
    row += [
        "false",
        "中間報告",
        "ハート博士",
        "助成番号",
        "https://grants.example.org/GR-2026-0001",
    ]
    write_csv(folder / "grants.csv", [ROWS[0], row], header=header)
    yaml = write_plan(
        tmp_path / "yaml",
        "milestones:\n  - {id: gr-1-start, title: Fellowship starts, workstream: quantum, "
        "target: 2026-04, owner: Dr Hart}\n"
        "  - id: gr-1-report\n    title: Interim report\n    workstream: quantum\n"
        "    target: H2 2026\n    owner: Dr Hart\n    depends_on: [gr-1-start]\n"
        "    lead_days: 45\n    amount: £1,250,000\n    notes: Grant GR-2026-0001, year 1\n"
        f"    forecast: 2027-Q1\n    completed_on: {PAST}\n    cancelled: false\n"
        "    title_ja: 中間報告\n    owner_ja: ハート博士\n    notes_ja: 助成番号\n"
        "    source: https://grants.example.org/GR-2026-0001\n",
    )
    assert load(folder).milestones == load(yaml).milestones


def test_an_empty_forecast_cell_says_nothing_and_tbc_says_unscheduled(folder):
    write_csv(
        folder / "grants.csv",
        [[*ROWS[0], ""], [*ROWS[1][:5], "", "TBC"]],
        header=[*HEADER, "forecast"],
    )
    first, second = load(folder).milestones
    assert not first.states_forecast
    assert second.states_forecast and second.forecast is None


def test_excels_byte_order_mark_is_accepted(folder):
    write_csv(folder / "grants.csv", ROWS, bom=True)
    assert load(folder).milestones[0].id == "gr-1-start"


def test_blank_rows_are_skipped_and_rows_keep_the_numbers_a_spreadsheet_shows(folder):
    write_csv(folder / "grants.csv", [ROWS[0], [], ["", "", ""], [*ROWS[1][:2], "space"]])
    assert problems(folder) == [
        "grants.csv:5: milestone gr-1-report: workstream: unknown workstream 'space'; "
        "known: health, quantum"
    ]


def test_a_path_is_relative_to_the_configuration_folder(folder):
    (folder / "exports").mkdir()
    (folder / "grants.csv").rename(folder / "exports" / "grants.csv")
    write_plan(folder, "milestones:\n  file: exports/grants.csv\n")
    assert len(load(folder).milestones) == 3


# -- every mistake in a row, with its row and column ---------------------------

ROW_MISTAKES = [
    pytest.param(
        {"id": "GR-2026-0001"},
        "milestone GR-2026-0001: id: 'GR-2026-0001' is not an id; "
        "use lowercase letters, digits and dashes",
        id="an id that is not lowercase-with-dashes",
    ),
    pytest.param({"id": ""}, "a milestone without an id: id: '' is not an id", id="an empty id"),
    pytest.param(
        {"title": ""}, "milestone gr-1-report: title: must not be empty", id="an empty title"
    ),
    pytest.param(
        {"target": "next spring"},
        "milestone gr-1-report: target: 'next spring' is not a period; use YYYY-MM-DD",
        id="a target that is no period",
    ),
    pytest.param(
        {"target": "2026-02-30"},
        "milestone gr-1-report: target: ",
        id="a day that does not exist",
    ),
    pytest.param(
        {"workstream": "space"},
        "milestone gr-1-report: workstream: unknown workstream 'space'",
        id="an unknown workstream",
    ),
    pytest.param(
        {"depends_on": "gr-1-start;gr-9"},
        "milestone gr-1-report: depends_on: depends on 'gr-9', which is not a milestone",
        id="an unknown dependency",
    ),
    pytest.param(
        {"depends_on": "gr-1-report"},
        "milestone gr-1-report: depends_on: depends on itself",
        id="a dependency on itself",
    ),
    pytest.param(
        {"depends_on": "gr-1-start; gr-1-start"},
        "milestone gr-1-report: depends_on: lists 'gr-1-start' twice",
        id="a dependency given twice",
    ),
    pytest.param(
        {"lead_days": "a month"},
        "milestone gr-1-report: lead_days: 'a month' is not a lead time",
        id="a lead time that is not a number",
    ),
    pytest.param(
        {"cancelled": "perhaps"},
        "milestone gr-1-report: cancelled: must be true or false, not 'perhaps'",
        id="cancelled that is neither true nor false",
    ),
    pytest.param(
        {"completed_on": str(FUTURE)},
        f"milestone gr-1-report: completed_on: completed_on {FUTURE} is after today",
        id="a completion after today",
    ),
    pytest.param(
        {"source": "grants system"},
        "milestone gr-1-report: source: 'grants system' is not a web address",
        id="a source that is no web address",
    ),
    pytest.param(
        {"owner": "Dr Hart\x07"},
        "milestone gr-1-report: owner: must be one line of text",
        id="an owner with a control character",
    ),
    pytest.param(
        {"id": "gr-1-start"},
        "milestone gr-1-start: id: the id is already used on row 2",
        id="an id used twice",
    ),
]


@pytest.mark.parametrize(("cells", "report"), ROW_MISTAKES)
def test_a_mistake_in_a_row_names_the_file_row_milestone_and_column(folder, cells, report):
    header = [*HEADER, "lead_days", "cancelled", "completed_on", "source"]
    row = dict(zip(header, [*ROWS[1], "", "", "", ""], strict=True)) | cells
    last = [*ROWS[2][:5], "gr-1-start", "", "", "", ""]
    write_csv(folder / "grants.csv", [ROWS[0], list(row.values()), last], header=header)
    found = problems(folder)
    assert len(found) == 1, found
    assert found[0].startswith(f"grants.csv:3: {report}"), found[0]


def test_a_dependency_cycle_across_rows_is_reported_once(folder):
    write_csv(folder / "grants.csv", [[*ROWS[0][:5], "gr-1-report"], *ROWS[1:]])
    assert problems(folder) == [
        "grants.csv:2: milestone gr-1-start: depends_on: dependencies form a cycle, "
        "gr-1-start → gr-1-report → gr-1-start; remove one of them"
    ]


def test_every_mistake_in_every_row_is_reported_at_once_in_row_order(folder):
    write_csv(
        folder / "grants.csv",
        [
            ["gr-1-start", "", "quantum", "2026-04", "", ""],
            ROWS[1],
            ["gr-2-ethics", "Ethics approval", "health", "soon", "", "gr-7"],
            ["Bad Id", "Something", "physics", "", "", ""],
        ],
    )
    found = problems(folder)
    assert [p.split(":")[1] for p in found] == ["2", "4", "5"]
    assert found[0].startswith("grants.csv:2: milestone gr-1-start: title: must not be empty")
    assert found[1].startswith("grants.csv:4: milestone gr-2-ethics: target: 'soon'")
    assert found[2].startswith("grants.csv:5: milestone Bad Id: id: 'Bad Id' is not an id")


# -- mistakes in the header and the file as a whole ----------------------------


def test_an_unknown_column_says_which_column_was_meant(folder):
    write_csv(folder / "grants.csv", ROWS, header=[*HEADER[:3], "traget", *HEADER[4:]])
    assert problems(folder) == ["grants.csv:1: unknown column 'traget'; did you mean 'target'?"]


def test_an_unknown_column_unlike_any_lists_the_columns(folder):
    write_csv(folder / "grants.csv", ROWS, header=[*HEADER[:5], "grant_ref"])
    [found] = problems(folder)
    assert found.startswith("grants.csv:1: unknown column 'grant_ref'; accepted columns: id, title")


def test_a_missing_required_column_and_a_repeated_one_are_reported_together(folder):
    write_csv(folder / "grants.csv", [r[:2] + r[:1] for r in ROWS], header=["id", "title", "id"])
    found = problems(folder)
    assert found[0] == "grants.csv:1: the column 'id' is given twice (columns 1 and 3); keep one"
    assert found[1].startswith("grants.csv:1: missing the column workstream; the first row must")


def test_a_file_saved_with_semicolons_between_columns_is_told_to_save_as_csv_utf8(folder):
    (folder / "grants.csv").write_text(";".join(HEADER) + "\n", encoding="utf-8")
    assert problems(folder) == [
        "grants.csv:1: the columns are not separated by commas; save it as CSV UTF-8 "
        "(Excel: File › Save As › CSV UTF-8)"
    ]


def test_a_value_under_a_column_with_no_name_is_reported_and_the_rest_still_read(folder):
    write_csv(folder / "grants.csv", [[*ROWS[0], "stray"], [*ROWS[1][:2], "space"]])
    assert problems(folder) == [
        "grants.csv:2: column 7 holds a value but has no name in row 1; "
        "name the column or clear it",
        "grants.csv:3: milestone gr-1-report: workstream: unknown workstream 'space'; "
        "known: health, quantum",
    ]


def test_a_column_with_no_name_between_named_ones_is_reported_only_where_it_holds_a_value(folder):
    header = [*HEADER[:3], "", *HEADER[3:]]
    rows = [[*r[:3], cell, *r[3:]] for r, cell in zip(ROWS, ["", "stray", " "], strict=True)]
    write_csv(folder / "grants.csv", rows, header=header)
    assert problems(folder) == [
        "grants.csv:3: column 4 holds a value but has no name in row 1; name the column or clear it"
    ]


def test_a_file_that_is_not_utf8_names_the_row_and_how_to_save_it(folder):
    text = "\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n"
    text = text.replace("Interim report", "Interim report (£40k)")
    (folder / "grants.csv").write_bytes(text.encode("cp1252"))
    assert problems(folder) == [
        "grants.csv:3: is not UTF-8 text (byte 0xa3); save it as CSV UTF-8 "
        "(Excel: File › Save As › CSV UTF-8)"
    ]


def test_rows_after_a_byte_that_is_not_utf8_are_not_taken_for_missing(folder):
    rows = [[*ROWS[0][:5], "gr-2-ethics"], [*ROWS[1][:3], "2026-Q4 £"], ROWS[2]]
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    (folder / "grants.csv").write_bytes(text.encode("cp1252"))
    [found] = problems(folder)
    assert found.startswith("grants.csv:3: is not UTF-8 text")


def test_an_empty_file_says_what_the_first_row_must_hold(folder):
    (folder / "grants.csv").write_bytes(b"")
    [found] = problems(folder)
    assert found.startswith("grants.csv:1: the file is empty; the first row must name the columns")


def test_a_missing_file_is_one_sentence(folder):
    (folder / "grants.csv").unlink()
    assert problems(folder) == ["grants.csv: no such file; milestones.yaml names it"]


@pytest.mark.parametrize(
    ("mapping", "report"),
    [
        ("{file: grants.ods}", "milestones: file: 'grants.ods' is neither .csv nor .xlsx"),
        ("{file: grants.csv, sheet: Milestones}", "milestones: sheet: only an Excel workbook"),
        ("{file: grants.csv, tab: x}", "milestones: unknown key 'tab'; accepted keys: file, sheet"),
        ("{path: grants.csv}", "milestones: unknown key 'path'"),
        ("{file: [a, b]}", "milestones: file: must be the name of a CSV or .xlsx file"),
    ],
)
def test_a_mistake_in_naming_the_file_is_reported_in_milestones_yaml(folder, mapping, report):
    write_plan(folder, f"milestones: {mapping}\n")
    found = problems(folder)
    assert found[0].startswith(f"milestones.yaml:8: {report}"), found


def test_the_fingerprint_covers_the_imported_file(folder):
    before = fingerprint(folder)
    assert before == fingerprint(folder)
    write_csv(folder / "grants.csv", ROWS[:2])
    assert fingerprint(folder) not in (None, before)
    (folder / "grants.csv").unlink()
    assert fingerprint(folder) is None


# -- Excel workbooks -------------------------------------------------------------


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def workbook_folder(folder) -> Path:
    """grants.xlsx with a cover sheet and the milestones on the sheet "Milestones"."""
    header = [*HEADER, "lead_days", "amount", "completed_on", "cancelled"]
    rows = [
        header,
        [*ROWS[0][:3], datetime(2026, 4, 1), "Dr Hart", None, 30, 1250000, datetime(2026, 4, 2)],
        [*ROWS[1], 45.0, None, None, False],
        [],
        [*ROWS[2][:3], 2027, None, "gr-1-start; gr-1-report", None, None, None, True],
    ]
    write_workbook(folder / "grants.xlsx", {"Cover": [["Exported"]], "Milestones": rows})
    write_plan(folder, "milestones:\n  file: grants.xlsx\n  sheet: Milestones\n")
    return folder


def test_a_sheet_of_a_workbook_reads_dates_numbers_and_flags_as_yaml_would(workbook_folder):
    start, report, ethics = load(workbook_folder).milestones
    assert str(start.target) == "2026-04-01" and start.completed_on.isoformat() == "2026-04-02"
    assert (start.lead_days, start.amount) == (30, "1250000")
    assert report.lead_days == 45 and not report.cancelled
    assert str(ethics.target) == "2027" and ethics.cancelled
    assert ethics.depends_on == ("gr-1-start", "gr-1-report")


def test_without_a_sheet_the_first_is_read(folder):
    write_workbook(folder / "grants.xlsx", {"Data": [HEADER, *ROWS], "Other": [["x"]]})
    write_plan(folder, "milestones:\n  file: grants.xlsx\n")
    assert len(load(folder).milestones) == 3


def test_a_mistake_in_a_sheet_names_its_row(workbook_folder):
    write_workbook(
        workbook_folder / "grants.xlsx",
        {"Milestones": [HEADER, ROWS[0], [], [*ROWS[1][:3], "someday"]]},
    )
    [found] = problems(workbook_folder)
    assert found.startswith("grants.xlsx:4: milestone gr-1-report: target: 'someday'")


def test_a_sheet_that_is_not_there_lists_those_that_are(workbook_folder):
    write_plan(workbook_folder, "milestones:\n  file: grants.xlsx\n  sheet: Grants\n")
    assert problems(workbook_folder) == [
        "grants.xlsx: has no sheet 'Grants'; its sheets: Cover, Milestones"
    ]


def test_a_corrupt_workbook_is_one_sentence(workbook_folder):
    (workbook_folder / "grants.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    [found] = problems(workbook_folder)
    assert found.startswith("grants.xlsx: cannot be read as an Excel workbook (")
    assert found.endswith("open it in Excel and save it again as .xlsx")


# -- the command line --------------------------------------------------------------


def test_validate_reports_a_bad_row_with_exit_status_2_and_writes_nothing(
    run_cli, folder, tmp_path
):
    write_csv(folder / "grants.csv", [ROWS[0], [*ROWS[1][:3], "soon"]])
    db = tmp_path / "never.db"
    result = run_cli("validate", "--config-dir", folder, "--db", f"sqlite:///{db}", db=False)
    assert result.exit_status == 2
    assert f"{folder}/grants.csv:3: milestone gr-1-report: target: 'soon'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_validate_accepts_the_shipped_example_of_a_funder(run_cli, tmp_path):
    from conftest import SHIPPED_CONFIG

    db = tmp_path / "never.db"
    examples = SHIPPED_CONFIG / "examples"
    result = run_cli("validate", "--config-dir", examples, "--db", f"sqlite:///{db}", db=False)
    assert result.exit_status == 0, result.stderr
    assert "14 milestones in 4 workstreams" in result.stdout
