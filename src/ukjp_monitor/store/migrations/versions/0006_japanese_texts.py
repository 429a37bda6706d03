"""Japanese readers' names, titles, owners and notes, and the programme's
holiday calendars (DESIGN §14).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("name_ja", sa.String(300), nullable=True))
        batch.add_column(sa.Column("calendars", sa.String(100), nullable=True))
    with op.batch_alter_table("workstreams") as batch:
        batch.add_column(sa.Column("name_ja", sa.String(300), nullable=True))
    with op.batch_alter_table("milestones") as batch:
        batch.add_column(sa.Column("title_ja", sa.String(500), nullable=True))
        batch.add_column(sa.Column("owner_ja", sa.String(500), nullable=True))
        batch.add_column(sa.Column("notes_ja", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("milestones") as batch:
        batch.drop_column("notes_ja")
        batch.drop_column("owner_ja")
        batch.drop_column("title_ja")
    with op.batch_alter_table("workstreams") as batch:
        batch.drop_column("name_ja")
    with op.batch_alter_table("programme") as batch:
        batch.drop_column("calendars")
        batch.drop_column("name_ja")
