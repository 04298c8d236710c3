"""Environments and permissions: each approval request's environment and the distinct approvals it
needs, and one vote row per request and approver (unique), so the Nth distinct vote is counted once
whichever replica it lands on; and a row per cause of degraded governance while it is said, so one
replica says it.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("environment", sa.String(16)))
        batch.add_column(sa.Column("approvals_needed", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("votes", sa.String(400), nullable=False, server_default=""))
    op.create_table(
        "approval_votes",
        sa.Column("request_id", sa.String(64), sa.ForeignKey("approvals.request_id"), primary_key=True),
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("voted_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "governance_notices",
        sa.Column("cause", sa.String(16), primary_key=True),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("governance_notices")
    op.drop_table("approval_votes")
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("votes")
        batch.drop_column("approvals_needed")
        batch.drop_column("environment")
