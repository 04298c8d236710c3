"""Budgets: the model-spend ledger (one row per model call, with its hour and day) and the budget
notices claimed (one per window, cap and level, whichever replica crosses it first).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_spend",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("hour", sa.DateTime, nullable=False, index=True),
        sa.Column("day", sa.DateTime, nullable=False, index=True),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("investigation_id", sa.String(40)),
        sa.Column("tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=False),
    )
    op.create_table(
        "budget_notices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("window_start", sa.DateTime, nullable=False),
        sa.Column("cap", sa.String(8), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("claimed_by", sa.String(100), nullable=False),
        sa.UniqueConstraint("period", "window_start", "cap", "level", name="uq_budget_notices_once"),
    )


def downgrade() -> None:
    op.drop_table("budget_notices")
    op.drop_table("model_spend")
