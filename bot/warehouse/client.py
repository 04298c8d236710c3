"""The warehouse client: parameterized Snowflake SQL over one reusable connection.

Every call is bounded end to end by one deadline (login, statement, the connector's own retries
and its cancel); reads are retried a bounded number of times within it on connection failures;
an outage surfaces as WarehouseUnavailable with a message fit for a user.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import snowflake.connector
from snowflake.connector import DictCursor
from snowflake.connector.backoff_policies import exponential_backoff
from snowflake.connector.errors import DatabaseError, InterfaceError, OperationalError, ProgrammingError

from bot.errors import UserFacingError
from bot.redact import NO_SECRETS, Redactor
from bot.warehouse.names import clean_text

log = logging.getLogger(__name__)

Params = Mapping[str, Any] | None
# the connector sleeps between its own retries up to 16 s by default, past any deadline it was given
BACKOFF_CAP_SEC = 1


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
        # told each statement's text and seconds, retries included (agentops_warehouse_query_duration_seconds)
        self.observe: Callable[[str, float], None] | None = None

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
            if self._conn is not None:
                _close_quietly(self._conn)  # at the end, the session is ended before the process goes
                self._conn = None
        if self._on_close:
            self._on_close()
            self._on_close = None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, params: Params, *, fetch: bool, attempts: int) -> Any:
        started = time.monotonic()
        try:
            return self._attempts(sql, params, fetch=fetch, attempts=attempts)
        finally:
            if self.observe is not None:
                self.observe(sql, time.monotonic() - started)

    def _attempts(self, sql: str, params: Params, *, fetch: bool, attempts: int) -> Any:
        # one deadline for the whole call: retries share it rather than each getting a fresh timeout
        deadline = time.monotonic() + self._timeout
        last_error: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(0.25 * 2**attempt, 2.0, max(0.0, deadline - time.monotonic())))
            left = deadline - time.monotonic()
            if attempt and left < 1:
                break  # the connector takes whole seconds: less than one is no attempt at all
            # waiting behind another caller's statement (one hung until its timeout) is part of the
            # deadline too: k callers behind it must not wait k timeouts
            if not self._lock.acquire(timeout=max(0.0, left)):
                raise self._unavailable(f"another statement held the connection past WAREHOUSE_TIMEOUT_SEC="
                                        f"{self._timeout}")
            try:
                budget = max(1, int(deadline - time.monotonic()))
                return self._statement(self._connect(budget), sql, params, fetch=fetch, budget=budget)
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
            finally:
                self._lock.release()
        raise self._unavailable(self._short(last_error, self._timeout))

    def _unavailable(self, why: str) -> WarehouseUnavailable:
        return WarehouseUnavailable(f"warehouse unavailable ({self.describe}): {why}; "
                                    f"check the SNOWFLAKE_* settings and that the warehouse is up")

    def _statement(self, conn: snowflake.connector.SnowflakeConnection, sql: str, params: Params, *,
                   fetch: bool, budget: int) -> Any:
        cursor = conn.cursor(DictCursor)
        self.statements += 1
        cursor.execute(sql, dict(params) if params is not None else None, timeout=budget)
        rows, count = (cursor.fetchall() if fetch else None), cursor.rowcount or 0
        # Closed only once it answered: closing waits for the connector's cancel of a timed-out
        # statement, which, to an unreachable warehouse, lasts a timeout of its own.
        cursor.close()
        if rows is None:
            return count
        return [{k.lower(): clean_text(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]

    def _connect(self, budget: int) -> snowflake.connector.SnowflakeConnection:
        if self._conn is None or self._conn.is_closed():
            # Login within what is left of the call. The connection keeps these for what it does on
            # its own later (the cancel a statement's timeout sends, one socket read), so none of them
            # can outlast WAREHOUSE_TIMEOUT_SEC; each statement passes its own remaining budget.
            self._conn = snowflake.connector.connect(**self._params | {
                "login_timeout": budget, "network_timeout": budget, "socket_timeout": budget,
                "backoff_policy": exponential_backoff(cap=BACKOFF_CAP_SEC)})
        return self._conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            # closing tells the warehouse the session ends: a network call that, to an unreachable
            # warehouse, waits out its socket timeout. It must not hold the lock (and the next caller).
            threading.Thread(target=_close_quietly, args=(self._conn,), name="warehouse-close", daemon=True).start()
            self._conn = None

    def _short(self, error: Exception | None, timeout: int | None = None) -> str:
        if error is None and timeout is not None:
            return f"no answer within WAREHOUSE_TIMEOUT_SEC={timeout}"
        text = str(getattr(error, "msg", None) or error or "unknown error").strip().splitlines()[0]
        return self._redact(_plain(text))[:300]


# the connector wraps a network failure in urllib3's words: pool, URL, request ids, then the cause
_POOL_ERROR = re.compile(r"(?:Failed to execute request: )?HTTPS?ConnectionPool\(.*")
_CAUSE = re.compile(r"\[Errno -?\d+\] ([^\"')]+)|(Read timed out)|(timed out)")


def _plain(text: str) -> str:
    """"250003: Failed to execute request: HTTPConnectionPool(…): Max retries exceeded with url: /queries/…
    (Caused by NewConnectionError(…[Errno 111] Connection refused))" → "250003: connection refused"."""
    if not _POOL_ERROR.search(text):
        return text
    found = _CAUSE.search(text)
    cause = next((g for g in found.groups() if g), "") if found else ""
    return _POOL_ERROR.sub(cause.strip().lower() or "no answer", text).replace(": :", ":").rstrip(": ")


def _close_quietly(conn: snowflake.connector.SnowflakeConnection) -> None:
    try:
        conn.close()
    except Exception:  # closing a dead connection may fail; it is gone either way
        log.debug("ignoring error while closing a warehouse connection", exc_info=True)
