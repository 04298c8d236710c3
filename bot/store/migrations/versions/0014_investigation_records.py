"""Investigation records and replays: what an investigation's tools read (every warehouse query with its
rows, every ML-service answer, the rules in force, the start time, the investigator), so it can be
re-run without the warehouse; and each replay of it, run by run.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "investigation_records",
        sa.Column("investigation_id", sa.String(40), sa.ForeignKey("investigations.investigation_id"),
                  primary_key=True),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("model", sa.String(100), nullable=False, server_default=""),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
    )
    op.create_table(
        "replays",
        sa.Column("replay_id", sa.String(40), primary_key=True),
        sa.Column("investigation_id", sa.String(40), sa.ForeignKey("investigations.investigation_id"),
                  nullable=False, index=True),
        sa.Column("requested_at", sa.DateTime, nullable=False),
        sa.Column("requested_by", sa.String(40), nullable=False),
        sa.Column("perturbations", sa.String(100), nullable=False),
        sa.Column("runs_per_kind", sa.Integer, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("investigator", sa.Text, nullable=False),
        sa.Column("original", sa.JSON, nullable=False),
        sa.Column("stability", sa.Float, nullable=False),
        # what a Claude replay spent (0 offline): its runs are full investigations
        sa.Column("tokens", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cost_usd", sa.Float, nullable=False, server_default="0"),
    )
    op.create_table(
        "replay_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("replay_id", sa.String(40), sa.ForeignKey("replays.replay_id"), nullable=False),
        sa.Column("run", sa.Integer, nullable=False),
        sa.Column("perturbation", sa.String(16), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("category", sa.String(40)),
        sa.Column("gated", sa.JSON, nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("stable", sa.Boolean, nullable=False),
        sa.Column("divergence", sa.Text, nullable=False),
        sa.UniqueConstraint("replay_id", "run", name="uq_replay_runs_run"),
    )


def downgrade() -> None:
    op.drop_table("replay_runs")
    op.drop_table("replays")
    op.drop_table("investigation_records")
