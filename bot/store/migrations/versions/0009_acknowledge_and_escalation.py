"""Acknowledge and escalation: who acknowledged an alert and when; one claim row per escalation step.

An alert post's alerts are acknowledged together (acked_by/acked_at on each). Each escalation step of an
alert post or escalated incident is claimed by inserting its row: the (subject, step) key lets exactly one
replica page for it.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("acked_by", sa.String(40)))
        batch.add_column(sa.Column("acked_at", sa.DateTime))
    op.create_table(
        "escalation_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.Column("claimed_by", sa.String(80), nullable=False),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("subject", "step", name="uq_escalation_steps_step"),
    )


def downgrade() -> None:
    op.drop_table("escalation_steps")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("acked_at")
        batch.drop_column("acked_by")
