"""Feedback: 👍 or 👎 from a person on a diagnosis or an @mention answer, one vote per person and message.

Revision ID: 0007
Revises: 0006 (to be 0006 once the silences migration lands before it)
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("message_ts", sa.String(40), nullable=False),
        sa.Column("thread_ts", sa.String(40)),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("vote", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("channel", "message_ts", "user_id", name="uq_feedback_vote"),
    )


def downgrade() -> None:
    op.drop_table("feedback")
