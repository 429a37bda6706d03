"""The fingerprint of the configuration files last synced.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("config_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("config_sha256")
