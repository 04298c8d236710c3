"""Alert post lease: which replica is posting an alert, since when.

A replica claims the post before calling Slack; if it dies before recording the message, the
lease runs out and another replica posts on its next sweep.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("post_claimed_at", sa.DateTime))
        batch.add_column(sa.Column("post_claimed_by", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("post_claimed_by")
        batch.drop_column("post_claimed_at")
