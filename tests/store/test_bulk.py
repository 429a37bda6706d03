import sqlite3
from datetime import UTC, date, datetime

import psycopg
import pytest
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from ukjp_monitor.store import bulk
from ukjp_monitor.store.db import open_database, writer
from ukjp_monitor.store.schema import (
    dependencies,
    events,
    milestones,
    programme,
    runs,
    transitions,
    workstreams,
)

NOW = datetime(2026, 11, 24, 7, 0, 3, 120_000, tzinfo=UTC)


@pytest.fixture
def engine(database_url):
    engine = open_database(database_url)
    with engine.begin() as conn:
        conn.execute(
            insert(programme).values(
                id=1, name="P", timezone="Europe/London", lead_days=30, synced_at=NOW
            )
        )
        conn.execute(insert(workstreams).values(id="space", name="Space", position=0))
    yield engine
    engine.dispose()


def milestone(n: int, **columns) -> dict:
    return {
        "id": f"m{n}",
        "title": f"Milestone {n}",
        "workstream_id": "space",
        "position": n,
        "lead_days": 30,
        "target_start": date(2026, 7, 1),
        "target_end": date(2026, 12, 31),
        "reforecast": False,
        "cfg_cancelled": False,
        **columns,
    }


def test_bulk_rows_read_back_exactly_as_sqlalchemy_writes_them(engine):
    """Dates, time-zone-aware timestamps, booleans, JSON and NULLs written
    through the driver come back equal to the same rows written by SQLAlchemy."""
    details = {"old": None, "new": "due", "at_risk": False, "as_of": "2026-11-24", "n": 7}
    with writer(engine).begin() as conn:
        conn.execute(insert(milestones), [milestone(1, notes="α – β")])
        bulk.insert_rows(conn, milestones, [milestone(2, notes="α – β")])
        row = {"at": NOW, "milestone_id": "m1", "kind": "transition", "actor": None}
        conn.execute(insert(events), [{**row, "details": details}])
        bulk.insert_rows(conn, events, [{**row, "milestone_id": "m2", "details": details}])
    with engine.connect() as conn:
        stored = {r.id: r._asdict() for r in conn.execute(select(milestones))}
        trail = [r._asdict() for r in conn.execute(select(events).order_by(events.c.id))]
    assert {**stored["m2"], "id": "m1", "title": "Milestone 1", "position": 1} == stored["m1"]
    assert stored["m2"]["target_start"] == date(2026, 7, 1)
    assert trail[0]["details"] == trail[1]["details"] == details
    assert trail[0]["at"] == trail[1]["at"]
    assert trail[1]["id"] > trail[0]["id"]  # the column left out took its default


def test_columns_empty_in_every_row_are_left_out_and_read_back_empty(engine):
    """A column that is None in every row is not named in the INSERT; one that
    is None in only some rows is, and each row keeps its own value."""
    details = {"title": "量子技術 – £2m", "changes": {"owner": [None, "JST"]}, "n": 3}
    with writer(engine).begin() as conn:
        bulk.insert_rows(
            conn,
            milestones,
            [milestone(1, owner="JST", notes=None), milestone(2, owner=None, notes=None)],
        )
        row = {"at": NOW, "milestone_id": "m1", "kind": "added", "actor": None}
        bulk.insert_rows(conn, events, [{**row, "details": details}])
    with engine.connect() as conn:
        stored = {r.id: r._asdict() for r in conn.execute(select(milestones))}
        trail = [r.details for r in conn.execute(select(events))]
    assert (stored["m1"]["owner"], stored["m2"]["owner"]) == ("JST", None)
    assert stored["m1"]["notes"] is stored["m2"]["notes"] is None
    assert stored["m1"]["completed_on"] is None
    assert trail == [details]


#: Refused by a key: SQLAlchemy's error, or the driver's own for rows written
#: through the driver.
REFUSED = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)


def foreign_keys(conn) -> dict:
    found = inspect(conn)
    return {t: found.get_foreign_keys(t) for t in ("milestones", "dependencies")}


def test_foreign_keys_checked_at_the_end_come_back_as_they_were(engine):
    """Rows written inside the block are kept; afterwards every key is there
    under its own name and still refuses a row that breaks it."""
    with writer(engine).begin() as conn:
        before = foreign_keys(conn)
        with bulk.foreign_keys_checked_at_end(conn, (milestones, dependencies)):
            bulk.insert_rows(conn, milestones, [milestone(1), milestone(2)])
            bulk.insert_rows(conn, dependencies, [{"milestone_id": "m2", "depends_on_id": "m1"}])
        assert foreign_keys(conn) == before
    with pytest.raises(REFUSED), writer(engine).begin() as conn:
        bulk.insert_rows(conn, dependencies, [{"milestone_id": "m1", "depends_on_id": "m9"}])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(dependencies)).scalar() == 1


def test_a_row_that_breaks_a_key_checked_at_the_end_fails_the_transaction(engine):
    with (
        pytest.raises(REFUSED),
        writer(engine).begin() as conn,
        bulk.foreign_keys_checked_at_end(conn, (milestones, dependencies)),
    ):
        bulk.insert_rows(conn, milestones, [milestone(1)])
        bulk.insert_rows(conn, dependencies, [{"milestone_id": "m1", "depends_on_id": "m9"}])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(milestones)).scalar() == 0
        assert foreign_keys(conn)["dependencies"]


def test_bulk_update_changes_only_the_rows_and_columns_given(engine):
    with writer(engine).begin() as conn:
        bulk.insert_rows(conn, milestones, [milestone(n) for n in range(1, 4)])
        bulk.update_rows(
            conn,
            milestones,
            "id",
            [
                {"id": "m3", "checked_status": "due", "checked_at_risk": True, "checked_on": None},
                {
                    "id": "m1",
                    "checked_status": "planned",
                    "checked_at_risk": False,
                    "checked_on": date(2026, 11, 24),
                },
            ],
        )
    with engine.connect() as conn:
        checked = {
            r.id: (r.checked_status, r.checked_at_risk, r.checked_on, r.title)
            for r in conn.execute(select(milestones))
        }
    assert checked == {
        "m1": ("planned", False, date(2026, 11, 24), "Milestone 1"),
        "m2": (None, None, None, "Milestone 2"),
        "m3": ("due", True, None, "Milestone 3"),
    }


def test_bulk_writes_are_part_of_the_callers_transaction(engine):
    with pytest.raises(RuntimeError), writer(engine).begin() as conn:
        bulk.insert_rows(conn, milestones, [milestone(1)])
        bulk.update_rows(conn, milestones, "id", [{"id": "m1", "checked_status": "due"}])
        raise RuntimeError("the check failed later")
    with engine.connect() as conn:
        assert conn.execute(select(milestones)).all() == []


def test_nothing_to_write_is_no_statement(engine):
    with writer(engine).begin() as conn:
        bulk.insert_rows(conn, transitions, [])
        bulk.update_rows(conn, runs, "id", [])
        assert conn.execute(select(transitions)).all() == []
