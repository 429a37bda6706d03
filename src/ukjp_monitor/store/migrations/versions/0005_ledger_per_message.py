"""The ledger per message: one row per recipient's alert about one check.

Transitions are numbered by the check that recorded them (``check_id``), and
an alert's ledger row names that check instead of one transition, so a check
writes one row per recipient instead of one per recipient and transition.

Existing ledgers carry over without resending anything: the rows of one
message (they share a Message-ID, a state and a holder) become that
message's one row, keeping its state, attempts, holder and Message-ID, and
its dedupe key stays unique (new claims use ``check:ID`` keys with numbers
above every existing check). Past checks are numbered in the order they
were recorded; a check is its transitions with one recorded instant and
as-of date (checks are serialised, and each takes "now" once).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("transitions") as batch:
        batch.add_column(sa.Column("check_id", sa.Integer(), nullable=True))
    checks = conn.execute(
        sa.text(
            "SELECT recorded_at, as_of FROM transitions"
            " GROUP BY recorded_at, as_of ORDER BY min(id)"
        )
    ).all()
    for number, (recorded_at, as_of) in enumerate(checks, start=1):
        conn.execute(
            sa.text(
                "UPDATE transitions SET check_id = :n WHERE recorded_at = :at AND as_of = :as_of"
            ),
            {"n": number, "at": recorded_at, "as_of": as_of},
        )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("check_id", sa.Integer(), nullable=True))
    conn.execute(
        sa.text(
            "UPDATE deliveries SET check_id ="
            " (SELECT t.check_id FROM transitions t WHERE t.id = deliveries.transition_id)"
            " WHERE kind = 'alert'"
        )
    )
    # One row per message: its first, which keeps the message's dedupe key.
    conn.execute(
        sa.text(
            "DELETE FROM deliveries WHERE kind = 'alert' AND id NOT IN"
            " (SELECT keep FROM (SELECT min(id) AS keep FROM deliveries"
            "  WHERE kind = 'alert' GROUP BY message_id) AS first_rows)"
        )
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("transition_id")
    with op.batch_alter_table("transitions") as batch:
        batch.alter_column("check_id", existing_type=sa.Integer(), nullable=False)
    op.create_index("ix_transitions_check_id", "transitions", ["check_id"])


def downgrade() -> None:
    # Lossy: a message's row names the first transition of its check.
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("transition_id", SERIAL, nullable=True))
    op.get_bind().execute(
        sa.text(
            "UPDATE deliveries SET transition_id ="
            " (SELECT min(t.id) FROM transitions t WHERE t.check_id = deliveries.check_id)"
        )
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.create_foreign_key(
            "fk_deliveries_transition_id", "transitions", ["transition_id"], ["id"]
        )
        batch.drop_column("check_id")
    op.drop_index("ix_transitions_check_id", "transitions")
    with op.batch_alter_table("transitions") as batch:
        batch.drop_column("check_id")
