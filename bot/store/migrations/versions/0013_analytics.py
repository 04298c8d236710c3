"""Analytics: what the measures of the bot need and the store did not keep.

alerts: who marked the post "Not a problem", and when (the false-positive rate counts these).
incidents: when it was first escalated to people (an escalated incident still resolves when its alert
clears, so its status alone forgets the escalation).
investigations: why Claude did not answer when it was configured (the fallback rate counts these).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("not_problem_by", sa.String(40)))
        batch.add_column(sa.Column("not_problem_at", sa.DateTime))
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("escalated_at", sa.DateTime))
    with op.batch_alter_table("investigations") as batch:
        batch.add_column(sa.Column("fallback_reason", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("investigations") as batch:
        batch.drop_column("fallback_reason")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("escalated_at")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("not_problem_at")
        batch.drop_column("not_problem_by")
