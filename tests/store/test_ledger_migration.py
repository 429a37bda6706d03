"""Migration 0005: a ledger of one row per (recipient, transition) becomes one
row per message, and nothing is sent again or lost on the way."""

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from conftest import TODAY
from sample_mail import parsed
from ukjp_monitor.plan.status import evaluate
from ukjp_monitor.store import queries
from ukjp_monitor.store.db import MIGRATIONS, writer
from ukjp_monitor.store.engine import create_db_engine
from ukjp_monitor.store.schema import WHEN, metadata
from ukjp_monitor.store.sync import sync_config

NOV_24 = date(2026, 11, 24)
PMO, LEAD = "pmo@example.org", "life-sciences-lead@example.org"
SENT_ID, PENDING_ID = "<sent-before@example.org>", "<pending-before@example.org>"

#: What a sync writes, in the order their keys need.
SYNCED = ("programme", "workstreams", "milestones", "dependencies", "events")

# The tables as revision 0004 has them (only the columns written here).
OLD_TRANSITIONS = sa.table(
    "transitions",
    *(sa.column(c) for c in ("id", "milestone_id", "as_of", "old_status", "new_status")),
    *(sa.column(c) for c in ("old_at_risk", "new_at_risk", "window_text")),
    sa.column("recorded_at", WHEN),
)
OLD_DELIVERIES = sa.table(
    "deliveries",
    *(sa.column(c) for c in ("kind", "recipient", "dedupe_key", "transition_id", "as_of")),
    *(sa.column(c) for c in ("message_id", "state", "attempts", "claimed_by")),
    sa.column("claimed_at", WHEN),
    sa.column("sent_at", WHEN),
)


def a_checked_database_at_0004(monitor, url: str) -> None:
    """What the code of revision 0004 left after the first check as of 24
    Nov: every transition recorded, the programme office's alert sent, the
    life sciences lead's pending (the server was down), several rows each."""
    engine = create_db_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).begin() as conn:
        config.attributes["connection"] = conn
        # Synced by today's code, then put into 0004's tables: the columns
        # they have, filled in just as that revision's sync filled them.
        command.upgrade(config, "head")
        sync_config(
            conn, monitor.load_config(), now=TODAY, today=NOV_24, actor="t", fingerprint=None
        )
        assessments = evaluate(queries.load_plan(conn), NOV_24)
        synced = {
            t: [dict(r) for r in conn.execute(sa.select(metadata.tables[t])).mappings()]
            for t in SYNCED
        }
        metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE alembic_version"))
        command.upgrade(config, "0004")
        old = sa.MetaData()
        old.reflect(conn, only=SYNCED)
        for name in SYNCED:
            table = old.tables[name]
            # Serial ids are left to the database, so its sequence moves on.
            keep = [c.name for c in table.c if not (name == "events" and c.name == "id")]
            rows = [{k: v for k, v in r.items() if k in keep} for r in synced[name]]
            if rows:
                conn.execute(table.insert(), rows)

        lines = []  # every transition, so that each message has several rows
        for a in assessments:
            conn.execute(
                sa.text(
                    "UPDATE milestones SET checked_status = :s, checked_at_risk = :r,"
                    " checked_on = :d WHERE id = :id"
                ),
                {"s": a.status.value, "r": a.at_risk, "d": NOV_24, "id": a.milestone.id},
            )
            number = conn.execute(
                OLD_TRANSITIONS.insert()
                .returning(OLD_TRANSITIONS.c.id)
                .values(
                    milestone_id=a.milestone.id,
                    as_of=NOV_24,
                    recorded_at=TODAY,
                    old_status=None,
                    new_status=a.status.value,
                    old_at_risk=None,
                    new_at_risk=a.at_risk,
                    window_text=None,
                )
            ).scalar_one()
            lines.append((number, a.milestone.workstream))
        for recipient, message_id, state, follows in (
            (PMO, SENT_ID, "sent", None),
            (LEAD, PENDING_ID, "pending", "life-sciences"),
        ):
            for transition_id, workstream in lines:
                if follows and workstream != follows:
                    continue
                conn.execute(
                    OLD_DELIVERIES.insert().values(
                        kind="alert",
                        recipient=recipient,
                        dedupe_key=f"transition:{transition_id}",
                        transition_id=transition_id,
                        as_of=NOV_24,
                        message_id=message_id,
                        state=state,
                        attempts=1,
                        claimed_by=None,
                        claimed_at=TODAY,
                        sent_at=TODAY if state == "sent" else None,
                    )
                )
    engine.dispose()


def ledger(monitor) -> list[tuple]:
    with monitor.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT recipient, message_id, state, check_id FROM deliveries ORDER BY id")
        ).all()


def test_an_upgraded_ledger_keeps_sent_sent_and_sends_pending_once(monitor, database_url, settings):
    a_checked_database_at_0004(monitor, database_url)
    with create_db_engine(database_url).connect() as conn:
        rows = conn.execute(sa.text("SELECT recipient FROM deliveries")).scalars().all()
    assert rows.count(PMO) > rows.count(LEAD) > 1
    assert ledger(monitor) == [(PMO, SENT_ID, "sent", 1), (LEAD, PENDING_ID, "pending", 1)]
    report = monitor.check(as_of=NOV_24)
    assert (report.transitions, report.alerts.sent) == (0, 1)
    [message] = [parsed(p.read_bytes()) for p in settings.outbox_dir.glob("*.eml")]
    assert message["To"].addresses[0].addr_spec == LEAD
    assert message["Message-ID"] == PENDING_ID  # the message that was pending, not a new one
    assert "National rare disease screening pilot" in message.get_body(("plain",)).get_content()
    again = monitor.check(as_of=NOV_24)
    assert (again.transitions, again.alerts.sent) == (0, 0)
    assert ledger(monitor) == [(PMO, SENT_ID, "sent", 1), (LEAD, PENDING_ID, "sent", 1)]


def test_checks_after_the_upgrade_are_numbered_after_the_old_ones(monitor, database_url, clock):
    a_checked_database_at_0004(monitor, database_url)
    clock.now = TODAY + timedelta(days=38)
    assert monitor.check(as_of=date(2027, 1, 1)).transitions == 1
    with monitor.engine.connect() as conn:
        numbers = conn.execute(
            sa.text("SELECT DISTINCT check_id FROM transitions ORDER BY check_id")
        ).scalars()
        assert list(numbers) == [1, 2]
