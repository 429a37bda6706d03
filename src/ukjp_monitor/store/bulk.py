"""Writing many rows at once through the driver, inside the caller's transaction.

A check that finds 100,000 transitions writes 100,000 rows to three
tables. Through SQLAlchemy's ``executemany`` each row's parameters are
processed and batched in Python, which cost ~1.3 s per table; here every
column's bind processor (the same conversion SQLAlchemy would apply: dates
to text on SQLite, JSON to text) runs once per value and the rows go to the
driver in one call: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Both functions take rows as mappings whose keys are column names, all rows
with the same keys, and return nothing: callers that need the new ids read
them back (see ``transitions.record_transitions``). An INSERT names only the
columns that hold a value in some row: the driver binds every value it is
given, and a new milestone leaves half of its 28 columns empty, so naming
them all doubled the cost of writing 100,000 (SQLite fills the rest with
NULL, as the columns have no server default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import repeat
from operator import is_not, itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table, bindparam, text
from sqlalchemy.types import TypeEngine


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` into ``table``; columns left out take their defaults."""
    if not rows:
        return
    columns = _filled(table, list(rows[0]), rows)
    values = _values(conn, table, columns, rows)
    names = _names(conn, columns)
    raw: Any = conn.connection.driver_connection  # sqlite3's or psycopg's own
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.cursor().executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)


_FOREIGN_KEYS = text(
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE contype = 'f' AND conrelid::regclass::text IN :names ORDER BY 1, 2"
).bindparams(bindparam("names", expanding=True))


@contextmanager
def foreign_keys_checked_at_end(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Check the foreign keys of ``tables`` once, at the end of the block,
    instead of row by row as they are written (PostgreSQL; elsewhere a no-op).

    PostgreSQL checks a foreign key with a trigger per row: for a first sync
    of 100,000 milestones that was 0.7 s of the server's time, for 190,000
    lookups. Inside the block the keys are dropped; at its end each is added
    back under its own name and definition, as the catalogue held them, and
    PostgreSQL validates it with one join (the manual's advice for loading
    data, "Populating a Database"). A row that breaks a key fails the block
    with IntegrityError and the transaction with it; whatever fails inside
    the block, the rollback brings the keys back. Dropping a key locks its
    table, and the table it references, against readers until the
    transaction ends: for writing into tables nobody can read anything from yet.
    """
    if conn.dialect.name != "postgresql" or not tables:
        yield
        return
    keys = conn.execute(_FOREIGN_KEYS, {"names": [t.name for t in tables]}).all()
    quote = conn.dialect.identifier_preparer.quote
    for table, name, _ in keys:
        conn.exec_driver_sql(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    for table, name, definition in keys:
        added = f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        conn.exec_driver_sql(added)


def update_rows(
    conn: Connection, table: Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """UPDATE the row of ``table`` whose ``key`` column matches each row's.

    On PostgreSQL the rows are copied into a temporary table and applied with
    one ``UPDATE … FROM``; on SQLite it is one prepared UPDATE, executed many
    times (SQLite has no network round trip to save).
    """
    if not rows:
        return
    columns = list(rows[0])
    changed = [c for c in columns if c != key]
    quote = conn.dialect.identifier_preparer.quote
    raw: Any = conn.connection.driver_connection  # sqlite3's or psycopg's own
    if conn.dialect.name == "postgresql":
        staging = f"bulk_{table.name}"
        with raw.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "
                f"SELECT {_names(conn, columns)} FROM {table.name} WITH NO DATA"
            )
            with cursor.copy(f"COPY {staging} ({_names(conn, columns)}) FROM STDIN") as copy:
                for row in _values(conn, table, columns, rows):
                    copy.write_row(row)
            assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in changed)
            cursor.execute(
                f"UPDATE {table.name} AS t SET {assignments} FROM {staging} AS s "
                f"WHERE t.{quote(key)} = s.{quote(key)}"
            )
            cursor.execute(f"DROP TABLE {staging}")
    else:
        assignments = ", ".join(f"{quote(c)} = ?" for c in changed)
        values = _values(conn, table, [*changed, key], rows)
        # In key order, the index is walked once instead of at random: 3x faster
        # at 100,000 rows once the table outgrows SQLite's page cache.
        values.sort(key=itemgetter(-1))
        raw.cursor().executemany(
            f"UPDATE {table.name} SET {assignments} WHERE {quote(key)} = ?", values
        )


def _filled(table: Table, columns: list[str], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """``columns`` less those that are None in every row and would be NULL
    if left out (no server default); at least one column stays."""
    filled = [
        name
        for name in columns
        if table.c[name].server_default is not None
        # In C from end to end, stopping at the first value.
        or any(map(is_not, map(itemgetter(name), rows), repeat(None)))
    ]
    return filled or columns[:1]


def _names(conn: Connection, columns: list[str]) -> str:
    return ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)


def _values(
    conn: Connection, table: Table, columns: list[str], rows: Sequence[Mapping[str, Any]]
) -> list[list[Any]]:
    """Each row as a list in ``columns`` order, converted as SQLAlchemy would."""
    pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    converters = [
        (i, convert)
        for i, name in enumerate(columns)
        if (convert := _converter(table.c[name].type, conn.dialect))
    ]
    values = [list(pick(row)) for row in rows]
    for i, convert in converters:
        for row in values:
            row[i] = convert(row[i])
    return values


def _converter(type_: TypeEngine, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column's bind processor, remembering its answers for values that
    repeat (a check's every row has the same as-of date and timestamp)."""
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    if isinstance(type_, JSON):
        return lambda value: None if value is None else process(value)
    seen: dict[Any, Any] = {None: None}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = process(value)
            return result

    return convert
