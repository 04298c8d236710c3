"""Incidents (one per alert, with their lifecycle and timings) and the run of an approved action.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("slack_thread_ts", sa.String(40)))
        batch.add_column(sa.Column("action_status", sa.String(16)))
        batch.add_column(sa.Column("action_details", sa.Text))
        batch.add_column(sa.Column("action_started_at", sa.DateTime))
        batch.add_column(sa.Column("action_finished_at", sa.DateTime))
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(40), nullable=False, unique=True),
        sa.Column("alert_id", sa.String(40), nullable=False, unique=True),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("alert_type", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("component", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("breach_started_at", sa.DateTime, nullable=False),
        sa.Column("detected_at", sa.DateTime, nullable=False),
        sa.Column("diagnosed_at", sa.DateTime),
        sa.Column("acted_at", sa.DateTime),
        sa.Column("resolved_at", sa.DateTime),
        sa.Column("root_cause", sa.Text),
        sa.Column("actions", sa.JSON, nullable=False),
        sa.Column("slack_channel", sa.String(40)),
        sa.Column("slack_ts", sa.String(40)),
        sa.Column("github_issue", sa.Integer),
        sa.Column("warehouse_recorded_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("incidents")
    with op.batch_alter_table("approvals") as batch:
        for column in ("action_finished_at", "action_started_at", "action_details", "action_status",
                       "slack_thread_ts"):
            batch.drop_column(column)
