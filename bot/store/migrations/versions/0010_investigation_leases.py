"""Investigations as durable claims: who holds one and until when (a heartbeat lease of seconds),
how many times it was started, the component it is about (to restart it elsewhere) and whether the
bot started it on its own. A running investigation left from before has no lease: it is taken over
at once (restarted where its component is known, else closed as abandoned).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("investigations") as batch:
        batch.add_column(sa.Column("component", sa.String(200)))
        batch.add_column(sa.Column("lease_owner", sa.String(120)))
        batch.add_column(sa.Column("lease_until", sa.DateTime))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("auto", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_investigations_lease", "investigations", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_index("ix_investigations_lease", table_name="investigations")
    with op.batch_alter_table("investigations") as batch:
        for column in ("auto", "attempts", "lease_until", "lease_owner", "component"):
            batch.drop_column(column)
