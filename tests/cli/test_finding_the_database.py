"""Which database a command uses, and what it says when that is the wrong one."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

QUERIES = (
    ("status",),
    ("show", "rare-disease-pilot-start"),
    ("history",),
    ("export", "--format", "json"),
    ("health",),
    ("digest",),  # a preview
)
#: Progress needs a synced programme to record against: no database is
#: created for it either.
PROGRESS = (
    ("complete", "rare-disease-pilot-start", "--on", "2026-10-01"),
    ("forecast", "rare-disease-pilot-start", "2027-Q1"),
    ("cancel", "rare-disease-pilot-start", "--reason", "descoped"),
)


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A folder with no database, as the working directory, and no
    UKJP_DATABASE_URL: the commands look for ./ukjp-monitor.db."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("UKJP_DATABASE_URL")
    return folder


@pytest.mark.parametrize("args", QUERIES + PROGRESS, ids=lambda args: args[0])
def test_a_query_in_the_wrong_folder_creates_no_database_and_says_where_it_looked(
    run_cli, config_dir, elsewhere, args
):
    result = run_cli(*args, "--config-dir", config_dir, db=False)
    assert result.exit_status == 1
    assert list(elsewhere.iterdir()) == []  # no ukjp-monitor.db, -wal or -shm
    assert f"there is no database at {elsewhere / 'ukjp-monitor.db'}" in result.stderr
    assert "ukjp-monitor sync" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_query_started_as_a_process_in_the_wrong_folder_creates_nothing(elsewhere):
    result = subprocess.run(
        [sys.executable, "-m", "ukjp_monitor", "status"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "UKJP_DATABASE_URL"},
    )
    assert result.returncode == 1
    assert str(elsewhere / "ukjp-monitor.db") in result.stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("args", QUERIES, ids=lambda args: args[0])
def test_a_query_of_a_database_without_tables_names_it_and_creates_none(
    run_cli, database_url, args
):
    engine = create_engine(database_url)
    with engine.connect() as conn:  # an empty file, on SQLite
        conn.execute(text("SELECT 1"))
    result = run_cli(*args)
    assert result.exit_status == 1
    assert "holds no programme yet; run 'ukjp-monitor sync' first" in result.stderr
    named = database_url.removeprefix("sqlite:///")  # a file's path, or the URL
    assert f"the database {named}" in result.stderr
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                if engine.dialect.name == "sqlite"
                else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ).all()
    engine.dispose()
    assert tables == []


def test_a_postgresql_database_is_named_without_its_password(run_cli, postgres_url, config_dir):
    engine = create_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    with_password = postgres_url.replace("postgres@", "postgres:s3cret@")
    result = run_cli("status", "--db", with_password, "--config-dir", config_dir, db=False)
    assert result.exit_status == 1
    assert "postgres:***@127.0.0.1" in result.stderr
    assert "s3cret" not in result.stderr


def test_a_database_that_was_synced_is_found_and_read(run_cli):
    assert run_cli("sync").exit_status == 0
    assert run_cli("status").exit_status == 0


@pytest.mark.parametrize("command", ["status", "sync", "check"])
def test_a_file_that_is_not_a_database_is_named_and_is_bad_input(
    run_cli, tmp_path, config_dir, command
):
    notes = tmp_path / "notes.txt"
    notes.write_text("milestones to ask about on Monday\n" * 200)
    result = run_cli(command, "--db", notes, "--config-dir", config_dir, db=False)
    assert result.exit_status == 2
    assert result.stderr.strip() == (
        f"ukjp-monitor: {notes} is not a SQLite database (file is not a database); "
        "check --db or UKJP_DATABASE_URL"
    )
    assert notes.read_text() == "milestones to ask about on Monday\n" * 200
