"""Approved actions as durable claims: the replica running one holds a lease of seconds it renews; what it
sent the ML service (the phase, the training run's id, the version a rollback should serve) and where its
progress is shown are recorded, so another replica can verify the action after a crash instead of redoing it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (
    ("action_claimed_by", sa.String(80)),
    ("action_lease_until", sa.DateTime),
    ("action_phase", sa.String(16)),
    ("action_run_id", sa.String(80)),
    ("action_expected", sa.String(80)),
    ("action_progress_channel", sa.String(40)),
    ("action_progress_ts", sa.String(40)),
)


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind))


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
