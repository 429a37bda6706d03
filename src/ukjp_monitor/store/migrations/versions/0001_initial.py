"""The programme, its workstreams and milestones, dependencies and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(100)


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("source", sa.String(2000), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "workstreams",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "milestones",
        sa.Column("id", ID, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("workstream_id", ID, sa.ForeignKey("workstreams.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(500), nullable=True),
        sa.Column("amount", sa.String(200), nullable=True),
        sa.Column("source", sa.String(2000), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("target_text", sa.String(40), nullable=True),
        sa.Column("target_start", sa.Date(), nullable=True),
        sa.Column("target_end", sa.Date(), nullable=True),
        sa.Column("reforecast", sa.Boolean(), nullable=False),
        sa.Column("forecast_text", sa.String(40), nullable=True),
        sa.Column("forecast_start", sa.Date(), nullable=True),
        sa.Column("forecast_end", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("cfg_forecast", sa.String(40), nullable=True),
        sa.Column("cfg_completed_on", sa.Date(), nullable=True),
        sa.Column("cfg_cancelled", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "dependencies",
        sa.Column("milestone_id", ID, sa.ForeignKey("milestones.id"), primary_key=True),
        sa.Column("depends_on_id", ID, sa.ForeignKey("milestones.id"), primary_key=True),
    )
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("milestone_id", ID, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_events_milestone_at", "events", ["milestone_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_events_milestone_at", table_name="events")
    for table in ("events", "dependencies", "milestones", "workstreams", "programme"):
        op.drop_table(table)
