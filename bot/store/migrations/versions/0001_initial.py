"""Initial state store: alerts, silences, investigations, approvals with decisions, audit log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FIRING = sa.text("status = 'firing'")
RUNNING = sa.text("status = 'running'")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.String(40), nullable=False, unique=True),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("alert_type", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("component", sa.String(100), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("last_notified_at", sa.DateTime),
        sa.Column("resolved_at", sa.DateTime),
        sa.Column("slack_channel", sa.String(40)),
        sa.Column("slack_ts", sa.String(40)),
    )
    op.create_index("uq_alerts_firing_fingerprint", "alerts", ["fingerprint"], unique=True,
                    sqlite_where=FIRING, postgresql_where=FIRING)
    op.create_table(
        "silences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(200), nullable=False, index=True),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("starts_at", sa.DateTime, nullable=False),
        sa.Column("ends_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "investigations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("investigation_id", sa.String(40), nullable=False, unique=True),
        sa.Column("alert_id", sa.String(40)),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("requested_by", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("engine", sa.String(16)),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("diagnosis", sa.JSON),
        sa.Column("input_tokens", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cached_input_tokens", sa.Integer, nullable=False, server_default="0"),
        sa.Column("output_tokens", sa.Integer, nullable=False, server_default="0"),
        sa.Column("slack_channel", sa.String(40)),
        sa.Column("slack_ts", sa.String(40)),
    )
    op.create_index("uq_investigations_running_alert", "investigations", ["alert_id"], unique=True,
                    sqlite_where=RUNNING, postgresql_where=RUNNING)
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(64), nullable=False, unique=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("proposed_by", sa.String(40), nullable=False),
        sa.Column("requested_by", sa.String(40), nullable=False),
        sa.Column("investigation_id", sa.String(40)),
        sa.Column("alert_id", sa.String(40)),
        sa.Column("requested_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(40)),
        sa.Column("decided_at", sa.DateTime),
        sa.Column("slack_channel", sa.String(40)),
        sa.Column("slack_ts", sa.String(40)),
    )
    op.create_table(
        "approval_decisions",
        sa.Column("request_id", sa.String(64), sa.ForeignKey("approvals.request_id"), primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(40), nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("audit_log", "approval_decisions", "approvals", "investigations", "silences", "alerts"):
        op.drop_table(table)
