"""Ingested alerts: where an alert came from (the warehouse sweep or the ingest webhook), the
notification group it arrived in, the signatures already accepted (replay memory shared by replicas),
and which replica is posting a group (so replicas taking one notification at once make one post).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="warehouse"))
        batch.add_column(sa.Column("group_key", sa.String(40)))
    op.create_table(
        "ingest_signatures",
        sa.Column("signature", sa.String(64), primary_key=True),
        sa.Column("seen_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "ingest_groups",
        sa.Column("group_key", sa.String(40), primary_key=True),
        sa.Column("claimed_by", sa.String(80)),
        sa.Column("claimed_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("ingest_groups")
    op.drop_table("ingest_signatures")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("group_key")
        batch.drop_column("source")
