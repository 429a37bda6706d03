"""The cells of a spreadsheet, one row at a time: a CSV file read with the
standard library's csv, or a sheet of an Excel workbook read with openpyxl
in read-only mode, so that memory does not grow with the file.

Rows are numbered as a spreadsheet shows them (the header is row 1). A file
that cannot be read as a whole (not UTF-8, not CSV, not a sound workbook, no
such sheet) raises ConfigError with one sentence naming the file and, where
it can, the row. What the cells mean is ``tables``' business.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ukjp_monitor.errors import ConfigError

CSV, WORKBOOK = (".csv",), (".xlsx", ".xlsm")
SAVE_AS_UTF8 = "save it as CSV UTF-8 (Excel: File › Save As › CSV UTF-8)"


@dataclass(frozen=True)
class Table:
    """A spreadsheet that a list section is imported from."""

    path: Path
    display: str
    sheet: str | None = None


def expected_rows(table: Table) -> int | None:
    """How many rows follow a CSV file's header, counted as its lines: one
    more than there are for each line break inside a cell, so the count
    read may end short of it. None for a workbook, whose rows are not known
    until read, or a file that cannot be read (reading it will say why).
    10 MB take 5 ms."""
    if table.path.suffix.lower() in WORKBOOK:
        return None
    lines, last = 0, b"\n"
    try:
        with table.path.open("rb") as source:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                lines, last = lines + chunk.count(b"\n"), chunk[-1:]
    except OSError:
        return None
    return max(0, lines + (last != b"\n") - 1)  # the last line may have no line break


def csv_cells(table: Table) -> Iterator[tuple[int, Sequence]]:
    """(row, cells) for every record of a CSV file, decoded line by line so
    that a byte that is not UTF-8 is reported in its row."""
    number = 0
    with table.path.open("rb") as source:
        try:
            for number, record in enumerate(csv.reader(_decoded(source)), start=1):
                yield number, record
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start : exc.start + 1].hex()
            raise ConfigError(
                [f"{table.display}:{number + 1}: is not UTF-8 text (byte 0x{bad}); {SAVE_AS_UTF8}"]
            ) from None
        except csv.Error as exc:
            raise ConfigError([f"{table.display}:{number + 1}: not valid CSV: {exc}"]) from None


def _decoded(source: Iterable[bytes]) -> Iterator[str]:
    first = True
    for line in source:
        if first:
            # Excel's "CSV UTF-8" starts with a byte-order mark.
            line, first = line.removeprefix(b"\xef\xbb\xbf"), False
        yield line.decode("utf-8")


def workbook_cells(table: Table) -> Iterator[tuple[int, Sequence]]:
    """(row, cells) for every row of the sheet, read in openpyxl's read-only mode."""
    from openpyxl import load_workbook

    # openpyxl raises many kinds of error for a file that is not a sound
    # workbook (zip, XML, missing parts): each is the same mistake here.
    try:
        workbook = load_workbook(table.path, read_only=True, data_only=True)
    except Exception as exc:
        raise ConfigError(
            [
                f"{table.display}: cannot be read as an Excel workbook ({exc}); "
                "open it in Excel and save it again as .xlsx"
            ]
        ) from None
    try:
        if table.sheet is not None and table.sheet not in workbook.sheetnames:
            sheets = ", ".join(workbook.sheetnames)
            raise ConfigError(
                [f"{table.display}: has no sheet {table.sheet!r}; its sheets: {sheets}"]
            )
        sheet = workbook[table.sheet] if table.sheet is not None else workbook.worksheets[0]
        # A workbook's recorded size may be wrong (some programs write none).
        sheet.reset_dimensions()
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        while True:
            try:
                found = next(rows, None)
            except Exception as exc:
                raise ConfigError(
                    [
                        f"{table.display}: sheet {sheet.title!r} cannot be read "
                        f"({exc}); open it in Excel and save it again"
                    ]
                ) from None
            if found is None:
                return
            yield found
    finally:
        workbook.close()
