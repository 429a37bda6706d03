"""Runs of check and digest, and the schedules health is judged against.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("check_schedule", sa.String(100), nullable=True))
        batch.add_column(sa.Column("digest_schedule", sa.String(100), nullable=True))
    op.create_table(
        "runs",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("trigger", sa.String(20), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(1000), nullable=True),
    )
    op.create_index("ix_runs_kind_started", "runs", ["kind", "started_at"])


def downgrade() -> None:
    op.drop_table("runs")
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("digest_schedule")
        batch.drop_column("check_schedule")
