"""Audit rows say where a click came from: its channel and message.

A decision is tied to the request's own message; the audit row keeps the channel and message ts
a click arrived on, so a forged or misplaced click can be traced.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("channel", sa.String(40)))
        batch.add_column(sa.Column("message_ts", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("message_ts")
        batch.drop_column("channel")
