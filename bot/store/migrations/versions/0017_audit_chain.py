"""The audit log becomes append-only and hash-chained: every entry gets the hash of the one before and its own
(bot/store/audit_chain.py), existing entries hashed in id order; a one-row chain head that appends lock; and
triggers that refuse UPDATE and DELETE on audit_log (and TRUNCATE on PostgreSQL).

Revision ID: 0017
Revises: 0016
"""

from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from bot.store.audit_chain import GENESIS, hash_of_row

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_REFUSED = "audit_log is append-only: {} refused"


def _backfill() -> tuple[str, int]:
    """Hash the existing entries oldest first; returns the newest hash and the count, for the chain head."""
    log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                   *(sa.column(name, sa.String) for name in ("actor", "action", "subject", "outcome", "channel",
                                                             "message_ts", "prev_hash", "entry_hash")),
                   sa.column("details", sa.JSON))
    conn = op.get_bind()
    prev, count = GENESIS, 0
    rows = conn.execute(sa.select(log).order_by(log.c.id)).all()
    for row in rows:
        digest = hash_of_row(SimpleNamespace(**{**row._asdict(), "prev_hash": prev}))
        conn.execute(sa.update(log).where(log.c.id == row.id).values(prev_hash=prev, entry_hash=digest))
        prev, count = digest, count + 1
    return prev, count


def _refuse_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END $$")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{_REFUSED.format(verb)}'); END")


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("entry_hash", sa.String(64)))
    last_hash, entries = _backfill()
    # SQLite rebuilds the table here (NOT NULL), so the triggers come after
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch.alter_column("entry_hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_audit_log_prev_hash", ["prev_hash"])
        batch.create_unique_constraint("uq_audit_log_entry_hash", ["entry_hash"])
    head = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_hash": last_hash, "entries": entries}])
    _refuse_changes()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_log_entry_hash", type_="unique")
        batch.drop_constraint("uq_audit_log_prev_hash", type_="unique")
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")
