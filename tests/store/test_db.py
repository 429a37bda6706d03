import sqlite3
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from ukjp_monitor.store.db import (
    MIGRATIONS,
    SCHEMA_REVISION,
    current_revision,
    open_database,
    peek,
)
from ukjp_monitor.store.engine import create_db_engine
from ukjp_monitor.store.schema import metadata


def test_the_schema_revision_constant_names_the_newest_migration():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION


def test_first_use_applies_the_migrations(database_url):
    engine = open_database(database_url)
    assert current_revision(engine) == SCHEMA_REVISION
    engine.dispose()


def test_the_migrations_build_exactly_the_schema(database_url):
    engine = open_database(database_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


def test_opening_twice_leaves_the_schema_alone(database_url):
    open_database(database_url).dispose()
    engine = open_database(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


def test_sqlite_uses_write_ahead_logging_and_waits_when_busy(tmp_path):
    engine = open_database(str(tmp_path / "m.db"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_older_database_is_upgraded_on_first_use_and_keeps_its_rows(database_url):
    from alembic import command

    from ukjp_monitor.store.db import writer
    from ukjp_monitor.store.engine import create_db_engine

    engine = create_db_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(text("INSERT INTO workstreams (id, name, position) VALUES ('w', 'W', 0)"))
    engine.dispose()
    upgraded = open_database(database_url)
    assert current_revision(upgraded) == SCHEMA_REVISION
    with upgraded.connect() as conn:
        assert conn.execute(text("SELECT name FROM workstreams")).scalar() == "W"
    upgraded.dispose()


def read_programme_fingerprint(conn):
    return conn.execute(text("SELECT config_sha256 FROM programme")).scalar()


def test_peeking_at_a_database_that_is_not_there_creates_nothing(tmp_path):
    missing = tmp_path / "not" / "yet" / "monitor.db"
    assert peek(f"sqlite:///{missing}", read_programme_fingerprint) is None
    assert list(tmp_path.iterdir()) == []


def test_peeking_at_a_database_before_its_tables_exist_finds_nothing(database_url):
    assert peek(database_url, read_programme_fingerprint) is None
    assert current_revision(create_db_engine(database_url)) is None  # nor were they made


def test_peeking_at_a_database_that_cannot_be_reached_finds_nothing():
    unreachable = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2"
    assert peek(unreachable, read_programme_fingerprint) is None


def test_peeking_reads_what_is_there(database_url):
    open_database(database_url).dispose()
    assert peek(database_url, lambda conn: current_revision(conn.engine)) == SCHEMA_REVISION


HOLD_THE_WRITE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(0.5)
connection.execute("COMMIT")
"""


def test_a_new_sqlite_file_opened_while_another_process_writes_to_it_waits_its_turn(tmp_path):
    # What a second process meets when the first is switching a new file to
    # write-ahead logging: SQLite failed the switch at once ("database is
    # locked") instead of waiting out the busy timeout.
    path = tmp_path / "new.db"
    sqlite3.connect(path).close()  # a new, empty file
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        engine = open_database(str(path))
    finally:
        holder.wait(timeout=30)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert current_revision(engine) == SCHEMA_REVISION
    engine.dispose()


def test_a_database_written_by_a_newer_release_is_refused_in_one_sentence(database_url):
    import pytest

    from ukjp_monitor.errors import InputError

    engine = open_database(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(InputError) as refused:
        open_database(database_url)
    message = str(refused.value)
    assert "schema revision 0099" in message and "newer release of ukjp-monitor" in message
    assert "\n" not in message
