"""The column types: instants go in as UTC and come out aware, on both backends."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from ukjp_monitor.store import bulk
from ukjp_monitor.store.db import open_database, writer
from ukjp_monitor.store.schema import runs

TOKYO = timezone(timedelta(hours=9))
#: 21:00 in Tokyo is noon in London (UTC) on the same day.
IN_TOKYO = datetime(2026, 11, 24, 21, 0, tzinfo=TOKYO)


@pytest.fixture
def engine(database_url):
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def store_run(engine, started_at: datetime) -> None:
    with writer(engine).begin() as conn:
        conn.execute(insert(runs).values(kind="check", started_at=started_at, outcome="running"))


def test_an_instant_comes_back_aware_and_in_utc(engine):
    store_run(engine, IN_TOKYO)
    with engine.connect() as conn:
        started_at = conn.execute(select(runs.c.started_at)).scalar_one()
    assert started_at == IN_TOKYO
    assert started_at.tzinfo is UTC
    assert started_at.hour == 12


def test_instants_written_with_different_offsets_compare_as_instants(engine):
    store_run(engine, IN_TOKYO)
    store_run(engine, datetime(2026, 11, 24, 13, 0, tzinfo=UTC))  # an hour later
    with engine.connect() as conn:
        later = conn.execute(
            select(runs.c.started_at).where(
                runs.c.started_at > datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
            )
        ).scalars()
        assert [t.hour for t in later] == [13]
        latest = conn.execute(select(runs.c.started_at).order_by(runs.c.started_at.desc())).first()
    assert latest[0] == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def test_bulk_writes_store_instants_in_utc_too(engine):
    with writer(engine).begin() as conn:
        bulk.insert_rows(
            conn,
            runs,
            [{"kind": "check", "started_at": IN_TOKYO, "outcome": "running", "counts": {}}],
        )
    with engine.connect() as conn:
        assert conn.execute(select(runs.c.started_at)).scalar_one() == IN_TOKYO


def test_a_naive_datetime_is_refused_rather_than_guessed_at(engine):
    with pytest.raises(Exception, match="naive datetime"):
        store_run(engine, datetime(2026, 11, 24, 12, 0))
