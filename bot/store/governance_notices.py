"""Degraded governance said by one replica: the first to insert the cause's row says it; the row is
deleted when a replica finds that cause answering again, so the next spell is said again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.tables import governance_notices


class GovernanceNotices:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, cause: str, now: datetime, by: str) -> bool:
        """True for the one replica that says this spell."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(governance_notices).values(cause=cause, claimed_at=naive_utc(now),
                                                               claimed_by=by[:100]))
        except IntegrityError:
            return False
        return True

    def ended(self, cause: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(governance_notices).where(governance_notices.c.cause == cause))
