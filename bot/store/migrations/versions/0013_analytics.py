"""Analytics: what the measures of the bot need and the store did not keep.

alerts: who marked the post "Not a problem", and when (the false-positive rate counts these); the first
Acknowledge (acked_at moves when an escalation renews it; time to acknowledge measures the first).
incidents: when it was first escalated to people (an escalated incident still resolves when its alert
clears, so its status alone forgets the escalation). Filled in for incidents escalated before the
upgrade, so the escalation rate (and the agent-health baseline) does not drop to zero at once.
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
        batch.add_column(sa.Column("first_acked_at", sa.DateTime))
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("escalated_at", sa.DateTime))
    with op.batch_alter_table("investigations") as batch:
        batch.add_column(sa.Column("fallback_reason", sa.String(40)))
    # the earliest acknowledgement still known: a renewed one already replaced the first
    op.execute("UPDATE alerts SET first_acked_at = acked_at WHERE acked_at IS NOT NULL")
    _backfill_escalated_at()


def _backfill_escalated_at() -> None:
    """An incident escalated before the upgrade: when the escalation job first saw it escalated (its
    `escalated:<incident>` chain's start row, bot/escalation/chain.py), else, still escalated and never
    seen by the job, its last recorded change."""
    op.get_bind().execute(sa.text(
        "UPDATE incidents SET escalated_at = (SELECT MIN(s.claimed_at) FROM escalation_steps s"
        " WHERE s.subject = :prefix || incidents.incident_id AND s.step = :start)"
        " WHERE escalated_at IS NULL"), {"prefix": "escalated:", "start": "start"})
    op.get_bind().execute(sa.text(
        "UPDATE incidents SET escalated_at = COALESCE(acted_at, diagnosed_at, detected_at)"
        " WHERE escalated_at IS NULL AND status = :escalated"), {"escalated": "escalated"})


def downgrade() -> None:
    with op.batch_alter_table("investigations") as batch:
        batch.drop_column("fallback_reason")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("escalated_at")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("first_acked_at")
        batch.drop_column("not_problem_at")
        batch.drop_column("not_problem_by")
