"""A state store outage, logged as it is felt: one warning line per kind of failure per minute.

During an outage every sweep, expiry pass and request fails the same way; a traceback each would
bury the one line that says what is wrong. Failures that are not outages (a bug) keep their traceback.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timedelta

from sqlalchemy import exc

log = logging.getLogger("agentops.store")
EVERY = timedelta(minutes=1)
# the connection pool's own "QueuePool limit … reached" is an outage too: every connection is stuck
_OUTAGE_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)


def is_store_outage(error: BaseException) -> bool:
    """The store could not be reached or answered (not a bad statement, a constraint or a bug)."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _OUTAGE_ERRORS)


def _reason(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


class StoreOutageLog:
    """Shared by everything that touches the store in one process; `now` comes from the bot's clock."""

    def __init__(self, every: timedelta = EVERY) -> None:
        self._every = every
        self._lock = threading.Lock()
        self._last: dict[str, datetime] = {}  # kind → when it was last logged
        self._quiet: dict[str, int] = {}  # kind → failures since then, not logged

    def reported(self, error: BaseException, doing: str, now: datetime) -> bool:
        """In an `except`: True when `error` is a store outage, now reported (rate-limited); False for
        anything else, which the caller logs as it did, traceback and all."""
        if not is_store_outage(error):
            return False
        self.report(error, doing, now)
        return True

    def report(self, error: BaseException, doing: str, now: datetime) -> None:
        """Log `error` (met while `doing` something) once per kind per minute, counting the rest."""
        reason = _reason(error)
        # the kind: the driver's error class and its words, without the numbers (ports, pids) that vary
        kind = f"{type(getattr(error, 'orig', None) or error).__name__}: {re.sub(r'[0-9]+', '#', reason)}"
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self._every:
                self._quiet[kind] = self._quiet.get(kind, 0) + 1
                return
            self._last[kind], quiet = now, self._quiet.pop(kind, 0)
        more = f" ({quiet} more failure(s) like it in the last minute)" if quiet else ""
        log.warning("state store unreachable while %s: %s%s; retrying as work comes", doing, reason, more)

    def recovered(self) -> None:
        """The store answered: say so once, if an outage was logged."""
        with self._lock:
            if not self._last:
                return
            self._last.clear()
            self._quiet.clear()
        log.info("state store reachable again")
