"""Alert post attempts: how many times the post was claimed.

A claim whose Slack answer was lost (a 5xx once the post was stored, a reset, a replica killed mid-call)
may have posted; the next claim sees a count above one and looks for the post before posting again.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("post_attempts", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("post_attempts")
