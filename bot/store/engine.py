"""Engine creation and migrations for the state store (SQLite file or PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"
# an arbitrary constant: replicas starting together take turns migrating
_MIGRATION_LOCK_KEY = 0x4147_4F50  # "AGOP"
# alembic's `context` is a module-level proxy: two migrations in one process must take turns
_migrating = threading.Lock()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # let SQLAlchemy's "begin" event below issue BEGIN, not the driver
            dbapi_conn.isolation_level = None
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            # A deferred SQLite transaction that reads then writes fails at once with
            # "database is locked" when another writer got there first; taking the write lock
            # up front makes concurrent writers queue (busy timeout) instead.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         connect_args={"connect_timeout": 10})


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one moment of the store and that never holds up writers, for long reads
    (walking or exporting the whole audit log): REPEATABLE READ on PostgreSQL; on SQLite a deferred transaction
    (WAL gives it a snapshot) on a side engine, since the store's own engine begins every transaction IMMEDIATE."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            yield conn
        return
    reader = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(reader, "connect")
    def _driver_leaves_begin_to_us(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(reader, "begin")
    def _begin_deferred(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    try:
        with reader.connect() as conn:
            yield conn
    finally:
        reader.dispose()


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    """Bring the schema to the newest revision (or to `revision`, downgrading with `down`); safe to call
    from several replicas at once."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migrating, engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            conn.commit()
        try:
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, revision)
            conn.commit()
        finally:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                conn.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None
