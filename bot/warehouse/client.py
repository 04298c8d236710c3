"""The warehouse client: parameterized Snowflake SQL over one reusable connection.

Every call has a timeout; reads are retried a bounded number of times on connection
failures; an outage surfaces as WarehouseUnavailable with a message fit for a user.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import snowflake.connector
from snowflake.connector import DictCursor
from snowflake.connector.errors import DatabaseError, InterfaceError, OperationalError, ProgrammingError

from bot.errors import UserFacingError
from bot.redact import NO_SECRETS, Redactor
from bot.warehouse.names import clean_text

log = logging.getLogger(__name__)

Params = Mapping[str, Any] | None


class WarehouseError(UserFacingError):
    """A statement failed (bad SQL, missing table): retrying will not help."""


class WarehouseUnavailable(WarehouseError):
    """The warehouse could not be reached in time; the caller should degrade, not crash."""


class Warehouse:
    def __init__(
        self,
        connect_params: dict[str, Any],
        *,
        timeout_sec: int,
        retries: int,
        describe: str,
        on_close: Callable[[], None] | None = None,
        redact: Redactor = NO_SECRETS,
    ) -> None:
        self._params = connect_params
        self._timeout = timeout_sec
        self._retries = retries
        self.describe = describe  # e.g. "Snowflake account xy12345" — never contains credentials
        self._on_close = on_close
        # an upstream error may echo what it was sent; its text reaches alerts, status and the store
        self._redact = redact
        self._conn: snowflake.connector.SnowflakeConnection | None = None
        # one connection, one statement at a time: cursors are not shared across threads
        self._lock = threading.Lock()
        self.statements = 0  # statements sent, for benchmarks and the query-count guarantees

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        """Run a read; rows come back as dicts with lower-case column names."""
        return self._run(sql, params, fetch=True, attempts=1 + self._retries)

    def execute(self, sql: str, params: Params = None, *, idempotent: bool = False) -> int:
        """Run a write and return the affected row count.

        A write is only retried when the caller says repeating it is harmless: a lost
        response would otherwise insert the same rows twice.
        """
        return self._run(sql, params, fetch=False, attempts=1 + (self._retries if idempotent else 0))

    def close(self) -> None:
        with self._lock:
            self._disconnect()
        if self._on_close:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, params: Params, *, fetch: bool, attempts: int) -> Any:
        last_error: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(0.25 * 2**attempt, 2.0))
            with self._lock:
                try:
                    conn = self._connect()
                    with conn.cursor(DictCursor) as cursor:
                        self.statements += 1
                        cursor.execute(sql, dict(params) if params is not None else None, timeout=self._timeout)
                        if not fetch:
                            return cursor.rowcount or 0
                        return [{k.lower(): clean_text(v) if isinstance(v, str) else v for k, v in row.items()}
                                for row in cursor.fetchall()]
                except ProgrammingError as error:
                    # SQL errors are final; a timeout is reported by Snowflake as one too
                    if getattr(error, "errno", None) == 604:
                        last_error = error
                        continue
                    raise WarehouseError(f"warehouse query failed: {self._short(error)}") from None
                except (OperationalError, InterfaceError, DatabaseError, OSError) as error:
                    log.warning("warehouse %s: attempt %d/%d failed: %s",
                                self.describe, attempt + 1, attempts, self._short(error))
                    last_error = error
                    self._disconnect()
        raise WarehouseUnavailable(
            f"warehouse unavailable ({self.describe}): {self._short(last_error)}; "
            f"check the SNOWFLAKE_* settings and that the warehouse is up"
        ) from None

    def _connect(self) -> snowflake.connector.SnowflakeConnection:
        if self._conn is None or self._conn.is_closed():
            self._conn = snowflake.connector.connect(**self._params)
        return self._conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # closing a dead connection may fail; it is gone either way
                log.debug("ignoring error while closing a warehouse connection", exc_info=True)
            self._conn = None

    def _short(self, error: Exception | None) -> str:
        text = str(getattr(error, "msg", None) or error or "unknown error").strip().splitlines()[0]
        return self._redact(text)[:300]
