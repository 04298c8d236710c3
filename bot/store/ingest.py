"""Ingest across replicas: replay memory for signed requests (a signature is accepted once, on whichever
replica it reaches), and the claim on posting a notification group (one replica posts it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.tables import ingest_groups, ingest_signatures

Use = Literal["first", "running", "done"]


class IngestSignatures:
    """Each signature's row says, by its `seen_at`, where its request is (no column of its own, so a
    rolling upgrade needs no migration): a request in progress holds a lease, `seen_at` = its end (later
    than any done row's); a finished one is moved back by 2 × the window, before any lease a request
    still inside its timestamp window can hold. So a resend of a request still running is told to wait
    (not refused), one whose replica died takes it over once the lease lapses, one that finished is a
    replay."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def begin(self, signature: str, now: datetime, window: timedelta, lease: timedelta) -> Use:
        """`first` (this request now holds the signature, for `lease`), `running` (another holds it) or
        `done` (a replay). Rows older than the window's reach are forgotten: their timestamps refuse them."""
        moment, shift = naive_utc(now), 2 * window
        seen = ingest_signatures.c.seen_at
        try:
            with self._engine.begin() as conn:
                conn.execute(delete(ingest_signatures).where(seen < moment - 2 * shift))
                conn.execute(insert(ingest_signatures).values(signature=signature, seen_at=moment + lease))
            return "first"
        except IntegrityError:
            pass
        with self._engine.begin() as conn:  # a lapsed lease (its replica died mid-request) is taken over
            taken = conn.execute(update(ingest_signatures).where(
                ingest_signatures.c.signature == signature, seen <= moment, seen > moment - shift,
            ).values(seen_at=moment + lease)).rowcount
            if taken == 1:
                return "first"
            row = conn.execute(select(seen).where(ingest_signatures.c.signature == signature)).first()
        if row is None:  # forgotten meanwhile (the request holding it failed): the sender retries
            return "running"
        return "running" if row.seen_at > moment else "done"

    def done(self, signature: str, now: datetime, window: timedelta) -> None:
        """The request was processed: a resend is a replay from now on."""
        with self._engine.begin() as conn:
            conn.execute(update(ingest_signatures).where(ingest_signatures.c.signature == signature)
                         .values(seen_at=naive_utc(now) - 2 * window))

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
