"""The recipients' digest send times, so that ``health`` can judge the
digest runs without reading the configuration (DESIGN §14).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("digest_times", sa.Text(), nullable=True))
    # Forget the last sync's fingerprint: the next sync, which would
    # otherwise be skipped as changing nothing, then fills the new column.
    op.execute("UPDATE programme SET config_sha256 = NULL")


def downgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("digest_times")
