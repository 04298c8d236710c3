"""Ingest across replicas: replay memory for signed requests (a signature is accepted once, on whichever
replica it reaches), and the claim on posting a notification group (one replica posts it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.tables import ingest_groups, ingest_signatures


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


class IngestGroups:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, group_key: str, replica: str, now: datetime, lease: timedelta) -> bool:
        """The right to post a group's alerts; of replicas asking at once, one gets it. A claim left by a
        replica that died runs out after `lease`."""
        moment = naive_utc(now)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(ingest_groups).values(group_key=group_key, claimed_by=replica, claimed_at=moment))
            return True
        except IntegrityError:
            pass  # the group was claimed before: take it only if that claim was released or ran out
        with self._engine.begin() as conn:
            taken = conn.execute(update(ingest_groups).where(
                ingest_groups.c.group_key == group_key,
                or_(ingest_groups.c.claimed_at.is_(None), ingest_groups.c.claimed_at < moment - lease),
            ).values(claimed_by=replica, claimed_at=moment)).rowcount
        return taken == 1

    def renew(self, group_key: str, replica: str, now: datetime) -> bool:
        """The heartbeat of a group being posted: its claim stays this replica's while it is alive."""
        with self._engine.begin() as conn:
            return conn.execute(update(ingest_groups).where(
                ingest_groups.c.group_key == group_key, ingest_groups.c.claimed_by == replica,
                ingest_groups.c.claimed_at.is_not(None)).values(claimed_at=naive_utc(now))).rowcount == 1

    def release(self, group_key: str, replica: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(ingest_groups).where(ingest_groups.c.group_key == group_key,
                                                     ingest_groups.c.claimed_by == replica)
                         .values(claimed_by=None, claimed_at=None))
