"""Investigations as records: every model call and tool call of an investigation, and its cost.

Each step keeps what an audit, an export or a replay needs: for a tool call its arguments and the
output the model saw; for a model call its stop reason, tokens and dollars. An investigation also
keeps its cache writes and its cost in USD.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("investigations") as batch:
        batch.add_column(sa.Column("cache_write_tokens", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("cost_usd", sa.Float, nullable=False, server_default="0"))
    op.create_table(
        "investigation_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("investigation_id", sa.String(40), sa.ForeignKey("investigations.investigation_id"),
                  nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("arguments", sa.JSON),
        sa.Column("output", sa.Text, nullable=False),
        sa.Column("is_error", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("stop_reason", sa.String(40), nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("cache_write_tokens", sa.Integer, nullable=False),
        sa.Column("cache_read_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Float, nullable=False),
        sa.UniqueConstraint("investigation_id", "seq", name="uq_investigation_steps_seq"),
    )


def downgrade() -> None:
    op.drop_table("investigation_steps")
    with op.batch_alter_table("investigations") as batch:
        batch.drop_column("cost_usd")
        batch.drop_column("cache_write_tokens")
