"""Engines: a database URL or file path to a SQLAlchemy engine tuned for its
backend, and the database named in messages.

SQLite gets a busy timeout, write-ahead logging (``_use_wal``), foreign keys,
and transactions begun by the monitor itself (deferred for readers,
``IMMEDIATE`` for writers, see ``db.writer``); PostgreSQL goes through
psycopg 3 with pre-ping. Both convert the JSON columns with orjson.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ukjp_monitor.errors import InputError

SQLITE_BUSY_MS = 30_000


def normalise_url(url_or_path: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as SQLite)."""
    if "://" not in url_or_path:
        return f"sqlite:///{url_or_path}"
    for prefix in ("postgres://", "postgresql://"):
        if url_or_path.startswith(prefix):
            return "postgresql+psycopg://" + url_or_path[len(prefix) :]
    return url_or_path


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def describe_database(url: str | URL) -> str:
    """The database for messages: a SQLite file as its absolute path (so a
    command run in the wrong folder shows where it looked), else the URL with
    any password hidden."""
    path = sqlite_path(url)
    if path:
        return str(Path(path).resolve())
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return describe_url(url)


def sqlite_path(url: str | URL) -> str | None:
    """The file of a SQLite database; None for an in-memory one or another backend."""
    try:
        parsed = make_url(normalise_url(url) if isinstance(url, str) else url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def _json_text(value: object) -> str:
    # Non-text keys are written as text, as the standard library's json does.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


#: The JSON columns' (events' details) converters: orjson, because a first
#: sync of 100,000 milestones writes 110,000 events, and the standard
#: library's json took 0.2 s of it where orjson takes 0.02 s.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def create_db_engine(url: str) -> Engine:
    """An engine tuned for its backend (WAL and a busy timeout on SQLite)."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise InputError(f"{url!r} is not a database URL or file path") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return create_engine(parsed, pool_pre_ping=True, **_JSON)
    except (ArgumentError, ImportError) as exc:
        raise InputError(f"cannot use the database {describe_url(url)}: {exc}") from None


def _sqlite_engine(url) -> Engine:
    on_disk = sqlite_path(url) is not None
    if on_disk:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_MS / 1000, "isolation_level": None},
        **_JSON,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if on_disk:
            _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # pysqlite's own transaction handling starts transactions late and never
    # for SELECT; take control so a transaction is one transaction. Writers
    # take the write lock up front (IMMEDIATE): a reader that later tries to
    # write can fail with "database is locked" despite the busy timeout.
    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in write-ahead logging, waiting as for any lock.

    The mode is kept in the file, so this switches only a new database. The
    switch reads the file, then needs it to itself, and SQLite does not wait
    for a lock it wants while holding one: when another process holds the
    write lock of the same new file (it is switching it too), the switch
    fails at once with "database is locked", busy timeout or not. It may
    also leave the mode as it was and say so only in the mode it returns,
    and a process writing with a rollback journal meets more such refusals.
    So insist, until the busy timeout.
    """
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
            problem = "the database would not switch to write-ahead logging"
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            problem = str(exc)
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError(problem)
        time.sleep(0.02)
