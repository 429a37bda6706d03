"""Engines and schema: SQLite by default, PostgreSQL through psycopg 3.

``open_database`` is the way in for commands that write: it creates the
database's tables on first use and applies the packaged Alembic migrations
after an upgrade, checking the schema revision with one cheap query first so
that an up-to-date database never pays for importing Alembic.
``open_existing`` is the way in for commands that only read: a database that
is not there is an error naming it, and nothing is created.

Two processes opening a new database at once (two schedulers, a cron job and
a person) must both succeed, so every step that creates something is
serialised: the switch to write-ahead logging (``_use_wal``), the migrations
(``migrate``) and, in ``sync``, the first load of the programme (``lock``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    OperationalError,
    ProgrammingError,
)

from ukjp_monitor.errors import InputError, NotSynced, OperationFailed

T = TypeVar("T")

# The newest migration in migrations/versions; a test keeps the two in step.
SCHEMA_REVISION = "0007"
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 30_000
# Any constants; they name the locks in pg_locks.
MIGRATION_LOCK_KEY = 7_150_624_171
SYNC_LOCK_KEY = 7_150_624_172


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
    path = _sqlite_path(url)
    if path:
        return str(Path(path).resolve())
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return describe_url(url)


def _sqlite_path(url: str | URL) -> str | None:
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
    on_disk = _sqlite_path(url) is not None
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


def peek(url: str, read: Callable[[Connection], T]) -> T | None:
    """What ``read`` finds in the database as it stands; None when there is
    no database yet, it cannot be reached, or it predates what ``read`` reads.

    Unlike ``open_database`` this creates and upgrades nothing, so a command
    that may still fail on bad input can look first and leave no trace.
    """
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        return None
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).is_file():
        return None
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return read(connection)
    except DBAPIError:  # unreachable, or a table or column not there yet
        return None
    finally:
        engine.dispose()


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that will write."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def open_database(url: str) -> Engine:
    """Connect, create or bring the schema up to date, and return the engine.

    Raises OperationFailed (exit 1) when the database cannot be reached, and
    InputError (exit 2) when a SQLite "database" is some other kind of file.
    """
    return _open(url, create=True)


def open_existing(url: str) -> Engine:
    """Like ``open_database``, for commands that only read: a database that
    is not there (no such SQLite file, or no tables yet) raises NotSynced
    naming it, and nothing is created, not even an empty file.
    """
    path = _sqlite_path(url)
    if path is not None and not Path(path).is_file():
        raise NotSynced(describe_database(url), missing=True)
    return _open(url, create=False)


def _open(url: str, *, create: bool) -> Engine:
    engine = create_db_engine(url)
    try:
        revision = current_revision(engine)
        if revision is None and not create:
            raise NotSynced(describe_database(url))
        if revision != SCHEMA_REVISION:
            if revision is not None and not _known(revision):
                raise InputError(
                    f"{describe_database(url)} has schema revision {revision}, which this "
                    "ukjp-monitor does not know: a newer release of ukjp-monitor wrote it; "
                    "upgrade ukjp-monitor, or point --db at another database"
                )
            migrate(engine)
    except DatabaseError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "file is not a database" in reason:
            # The path names a file that is not SQLite's (the config, a CSV,
            # a typo): input to correct, not an outage to wait out.
            raise InputError(
                f"{describe_database(url)} is not a SQLite database ({reason}); "
                "check --db or UKJP_DATABASE_URL"
            ) from None
        if isinstance(exc, OperationalError):
            where = describe_database(url)
            raise OperationFailed(f"cannot reach the database {where}: {reason}") from None
        raise
    except (NotSynced, InputError):
        engine.dispose()
        raise
    return engine


def _known(revision: str) -> bool:
    """Whether ``revision`` is one of the packaged migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (ProgrammingError, OperationalError, DBAPIError) as exc:
            if _is_missing_table(exc):
                return None
            raise


def _is_missing_table(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "no such table" in message or "does not exist" in message


def lock(connection: Connection, key: int) -> None:
    """Hold the lock named ``key`` until the transaction ends.

    Two processes that must not interleave (both creating the tables, both
    inserting the first programme) wait for each other here, and what the
    second one reads after the wait includes what the first committed. On
    SQLite a writer's ``BEGIN IMMEDIATE`` already holds the one write lock.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def migrate(engine: Engine) -> None:
    """Apply the packaged migrations, one process at a time: the second of
    two processes that both found the schema out of date waits for the first,
    then finds nothing left to do."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).begin() as connection:
        lock(connection, MIGRATION_LOCK_KEY)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
