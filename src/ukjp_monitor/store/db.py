"""Opening the database and keeping its schema current: SQLite by default,
PostgreSQL through psycopg 3 (the engines themselves come from ``engine``).

``open_database`` is the way in for commands that write: it creates the
database's tables on first use and applies the packaged Alembic migrations
after an upgrade, checking the schema revision with one cheap query first so
that an up-to-date database never pays for importing Alembic.
``open_existing`` is the way in for commands that only read: a database that
is not there is an error naming it, and nothing is created.

Two processes opening a new database at once (two schedulers, a cron job and
a person) must both succeed, so every step that creates something is
serialised: the switch to write-ahead logging (``engine._use_wal``), the
migrations (``migrate``) and, in ``sync``, the first load of the programme
(``lock``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    OperationalError,
    ProgrammingError,
)

from ukjp_monitor.errors import InputError, NotSynced, OperationFailed
from ukjp_monitor.store.engine import (
    create_db_engine,
    describe_database,
    normalise_url,
    sqlite_path,
)

T = TypeVar("T")

# The newest migration in migrations/versions; a test keeps the two in step.
SCHEMA_REVISION = "0007"
MIGRATIONS = Path(__file__).with_name("migrations")
# Any constants; they name the locks in pg_locks.
MIGRATION_LOCK_KEY = 7_150_624_171
SYNC_LOCK_KEY = 7_150_624_172


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
    path = sqlite_path(url)
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
