"""Milestones imported from a spreadsheet: a CSV file or a sheet of an Excel workbook.

``milestones.yaml`` may give ``milestones: {file: grants.csv}`` or
``{file: grants.xlsx, sheet: Milestones}`` instead of a list (DESIGN §15).
This module checks that reference and the header, then turns each row that
``spreadsheets`` reads (one at a time, so memory does not grow with the
file's size) into the plain data a
YAML milestone would be (text, whole numbers, true/false, a list of
dependencies), so the loader validates it with the very model and rules of
the YAML list. Row numbers are those a spreadsheet shows: the header is row 1.

Problems with the file as a whole (missing, unreadable, a bad header, a sheet
that is not there) raise ConfigError, each as one sentence naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ukjp_monitor.config.spreadsheets import (
    CSV,
    SAVE_AS_UTF8,
    WORKBOOK,
    Table,
    csv_cells,
    workbook_cells,
)
from ukjp_monitor.config.wording import shown, unknown_key
from ukjp_monitor.config.yamlbuild import LineDict
from ukjp_monitor.errors import ConfigError

#: A cell holding several dependencies separates them with semicolons
#: (a comma would split the cell in a CSV file).
SEPARATOR = ";"
#: Columns whose cells stand for what YAML writes as a list, a whole number,
#: true/false, or a date or period.
LISTS = frozenset({"depends_on"})
WHOLE_NUMBERS = frozenset({"lead_days"})
FLAGS = frozenset({"cancelled"})
DATES = frozenset({"target", "forecast", "completed_on"})
# As YAML reads them (``yamlbuild``), plus Excel's TRUE and FALSE.
_FLAG_WORDS = {"true": True, "yes": True, "on": True, "y": True}
_FLAG_WORDS |= {"false": False, "no": False, "off": False, "n": False}
_DIGITS = re.compile(r"^\d+$")
_UNNAMED = "holds a value but has no name in row 1; name the column or clear it"


def table_reference(given: LineDict, directory: Path) -> tuple[Table | None, list[tuple]]:
    """The table a ``{file: ..., sheet: ...}`` mapping names, relative to ``directory``.

    Returns the table, or None and the problems as (key, message) pairs for
    the YAML reader to place on that key's line (key None: the mapping's).
    """
    problems: list[tuple] = [
        (None, message)
        for key in given
        if key not in ("file", "sheet")
        for message in [unknown_key(key, ("file", "sheet"))[0]]
    ]
    name, sheet = given.get("file"), given.get("sheet")
    if "file" not in given:
        problems.append(
            (
                None,
                "give a list of milestones, or {file: grants.csv} to import them from a "
                "CSV file or {file: grants.xlsx, sheet: Milestones} from an Excel workbook",
            )
        )
    elif not isinstance(name, str) or not name.strip():
        problems.append(
            ("file", f"file: must be the name of a CSV or .xlsx file, not {shown(name)}")
        )
    else:
        suffix = Path(name).suffix.lower()
        if suffix not in CSV + WORKBOOK:
            problems.append(
                (
                    "file",
                    f"file: {name!r} is neither .csv nor .xlsx; export the sheet as "
                    "CSV UTF-8 or save it as an Excel workbook (.xlsx)",
                )
            )
        elif "sheet" in given and suffix in CSV:
            problems.append(("sheet", "sheet: only an Excel workbook has sheets; remove it"))
    if "sheet" in given and (not isinstance(sheet, str) or not sheet.strip()):
        problems.append(("sheet", f"sheet: must be the name of a sheet, not {shown(sheet)}"))
    if problems:
        return None, problems
    path = directory / str(name).strip()
    return Table(path, str(path), sheet.strip() if isinstance(sheet, str) else None), []


def read_rows(
    table: Table,
    columns: Iterable[str],
    required: Iterable[str],
    report: Callable[[int, str], None],
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each filled-in row after the header: its number, and its data as a
    plain dict (all of a row is on its line, so no key needs a line of its own).

    An empty cell is left out, as a key not given in YAML would be, except in
    the ``required`` columns, where it stays empty text for the model to
    refuse. A value in a column with no name is given to ``report`` with its
    row, and reading goes on. Raises ConfigError for the file as a whole, before
    the first row or (a byte that is not UTF-8, a corrupt sheet) when reached.
    """
    if not table.path.is_file():
        raise ConfigError([f"{table.display}: no such file; milestones.yaml names it"])
    textual = table.path.suffix.lower() not in WORKBOOK
    cells = csv_cells(table) if textual else workbook_cells(table)
    header = next(cells, None)
    if header is None:
        raise ConfigError([f"{table.display}:1: the file is empty; {_naming(columns)}"])
    names = _header(table.display, header[1], tuple(columns), tuple(required))
    unnamed, needed = None in names, tuple(required)
    special = [(name, _TEXT_CELLS[name]) for name in names if name in _TEXT_CELLS]
    for number, values in cells:
        # A whole row at once (a funder's file has 100,000); it may be ragged.
        row: dict[Any, Any] = (
            {n: text for n, v in zip(names, values, strict=False) if (text := v.strip())}
            if textual
            else {n: v for n, v in zip(names, map(_plain, values), strict=False) if v is not None}
        )
        if unnamed or len(values) > len(names):
            row.pop(None, None)
            for index, value in enumerate(map(_plain, values)):
                if value is not None and (index >= len(names) or names[index] is None):
                    report(number, f"column {index + 1} {_UNNAMED}")
        if not row:
            continue
        if textual:  # only a few columns' text needs reading
            for name, read in special:
                if name in row:
                    row[name] = read(row[name])
        else:
            for name, value in row.items():
                if not isinstance(value, str):
                    row[name] = _cell(name, value)
                elif name in _TEXT_CELLS:
                    row[name] = _TEXT_CELLS[name](value)
        for name in needed:
            if name not in row:
                row[name] = ""
        yield number, row


def _naming(columns: Iterable[str]) -> str:
    return f"the first row must name the columns, of these: {', '.join(columns)}"


def _header(
    display: str, cells: Sequence, columns: tuple[str, ...], required: tuple[str, ...]
) -> list[str | None]:
    """The column each cell of row 1 names (None where it is blank), or every
    mistake in the row at once."""
    if len(cells) == 1 and isinstance(cells[0], str) and any(c in cells[0] for c in ";\t"):
        raise ConfigError([f"{display}:1: the columns are not separated by commas; {SAVE_AS_UTF8}"])
    names: list[str | None] = []
    problems: list[str] = []
    for index, cell in enumerate(cells):
        value = _plain(cell)
        name = None if value is None else str(value)
        if name is not None and name not in columns:
            message = unknown_key(name, columns, noun="column")[0]
            problems.append(f"{display}:1: {message}")
        elif name is not None and name in names:
            first = names.index(name) + 1
            problems.append(
                f"{display}:1: the column {name!r} is given twice (columns {first} and "
                f"{index + 1}); keep one"
            )
        names.append(name)
    missing = [c for c in required if c not in names]
    if missing:
        problems.append(
            f"{display}:1: missing the column{'s' * (len(missing) > 1)} {', '.join(missing)}; "
            f"{_naming(columns)}"
        )
    if problems:
        raise ConfigError(problems)
    return names


def _plain(value: Any) -> Any:
    """A cell's value with surrounding blanks gone; None for an empty cell."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _dependencies(text: str) -> list[str]:
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def _whole_number(text: str) -> int | str:
    return int(text) if _DIGITS.match(text) else text


def _flag(text: str) -> bool | str:
    return _FLAG_WORDS.get(text.lower(), text)


#: How a text cell (stripped, not empty) reads in each column that is not
#: plain text; the model then checks it as it would the YAML value.
_TEXT_CELLS = {
    **dict.fromkeys(LISTS, _dependencies),
    **dict.fromkeys(WHOLE_NUMBERS, _whole_number),
    **dict.fromkeys(FLAGS, _flag),
}


def _cell(name: str, value: Any) -> Any:
    """A workbook's value that is not text (a number, a date, true/false) as
    YAML would give it for that key."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        value = value.date()
    if isinstance(value, date):
        # Dates stay text, as in YAML, so that one parser reads them all.
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if name in LISTS:
        return _dependencies(str(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A number in a text column (an amount, a year as a target) reads as written.
        return value if name in WHOLE_NUMBERS | DATES else str(value)
    return value
