"""Post-mortems: one per incident, drafted when it resolves, then published (part of the knowledge index
from then on, on every replica) or discarded.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postmortems",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.incident_id"), primary_key=True),
        sa.Column("file_name", sa.String(120), nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("drafted_by", sa.String(16), nullable=False),
        sa.Column("drafted_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("slack_channel", sa.String(40)),
        sa.Column("slack_ts", sa.String(40)),
        sa.Column("decided_by", sa.String(40)),
        sa.Column("decided_at", sa.DateTime),
    )
    op.create_index("ix_postmortems_status", "postmortems", ["status"])


def downgrade() -> None:
    op.drop_index("ix_postmortems_status", table_name="postmortems")
    op.drop_table("postmortems")
