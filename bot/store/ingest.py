"""Replay memory for signed ingest requests: a signature is accepted once, on whichever replica it reaches."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.tables import ingest_signatures


class IngestSignatures:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def first_use(self, signature: str, now: datetime, window: timedelta) -> bool:
        """True the first time a signature is seen; False for a replay. Signatures older than the
        timestamp window are forgotten: a request that old is refused by its timestamp anyway."""
        moment = naive_utc(now)
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(ingest_signatures).where(ingest_signatures.c.seen_at < moment - 2 * window))
                conn.execute(insert(ingest_signatures).values(signature=signature, seen_at=moment))
        except IntegrityError:
            return False
        return True

    def forget(self, signature: str) -> None:
        """Let a request be sent again: it was accepted but could not be processed (the sender retries)."""
        with self._engine.begin() as conn:
            conn.execute(delete(ingest_signatures).where(ingest_signatures.c.signature == signature))
