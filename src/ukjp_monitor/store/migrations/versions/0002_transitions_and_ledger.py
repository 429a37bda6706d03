"""Status transitions and the delivery ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(100)
SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("milestones") as batch:
        batch.add_column(sa.Column("checked_status", sa.String(20), nullable=True))
        batch.add_column(sa.Column("checked_at_risk", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("checked_on", sa.Date(), nullable=True))
    op.create_table(
        "transitions",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("milestone_id", ID, sa.ForeignKey("milestones.id"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_status", sa.String(20), nullable=True),
        sa.Column("new_status", sa.String(20), nullable=False),
        sa.Column("old_at_risk", sa.Boolean(), nullable=True),
        sa.Column("new_at_risk", sa.Boolean(), nullable=False),
        sa.Column("window_text", sa.String(40), nullable=True),
    )
    op.create_index("ix_transitions_recorded_at", "transitions", ["recorded_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("dedupe_key", sa.String(120), nullable=False),
        sa.Column("transition_id", SERIAL, sa.ForeignKey("transitions.id"), nullable=True),
        sa.Column("week", sa.String(10), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subject", sa.String(500), nullable=True),
        sa.Column("error", sa.String(1000), nullable=True),
        sa.UniqueConstraint("recipient", "dedupe_key", name="uq_deliveries_recipient_key"),
    )
    op.create_index("ix_deliveries_state", "deliveries", ["state"])
    op.create_index("ix_deliveries_message_id", "deliveries", ["message_id"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("transitions")
    with op.batch_alter_table("milestones") as batch:
        batch.drop_column("checked_on")
        batch.drop_column("checked_at_risk")
        batch.drop_column("checked_status")
