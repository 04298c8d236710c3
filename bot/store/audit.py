"""The audit log: every decision, refusal and action, append-only and hash-chained (bot/store/audit_chain.py)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from bot.clock import naive_utc
from bot.store.audit_chain import ChainReport, entry_hash, stored_rows, walk
from bot.store.engine import read_snapshot
from bot.store.records import AuditEntry, from_row
from bot.store.tables import audit_chain, audit_log


def _fit(text: str | None, length: int) -> str | None:
    return None if text is None else str(text).replace("\x00", "")[:length]


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, actor: str, action: str, subject: str, outcome: str, now: datetime,
               details: dict | None = None, channel: str | None = None, message_ts: str | None = None) -> None:
        """Append one entry to the chain. Text is bounded to its column (and NULs dropped, which PostgreSQL
        refuses), so a hostile id from a click is recorded as far as it can be read, never lost to an error."""
        values = dict(at=naive_utc(now), actor=_fit(actor, 40) or "", action=_fit(action, 60) or "",
                      subject=_fit(subject, 200) or "", outcome=_fit(outcome, 40) or "",
                      # hashed as it will read back: JSON turns tuples into lists and keys into strings
                      details=json.loads(json.dumps(details or {})),
                      channel=_fit(channel, 40), message_ts=_fit(message_ts, 40))
        with self._engine.begin() as conn:
            # The head's row lock (PostgreSQL) or the write lock BEGIN IMMEDIATE took (SQLite) makes appends
            # from every replica take turns, so each links to the one before it.
            head = conn.execute(select(audit_chain).where(audit_chain.c.id == 1).with_for_update()).one()
            digest = entry_hash(head.last_hash, **values)
            conn.execute(insert(audit_log).values(**values, prev_hash=head.last_hash, entry_hash=digest))
            conn.execute(update(audit_chain).where(audit_chain.c.id == 1)
                         .values(last_hash=digest, entries=audit_chain.c.entries + 1))

    def verify(self) -> ChainReport:
        """Walk the whole chain, oldest first, in one snapshot (appends meanwhile neither wait nor move the head)."""
        with read_snapshot(self._engine) as conn:
            return walk(conn)

    def chained(self, since: datetime | None = None) -> Iterator[AuditEntry]:
        """Every entry from `since` (all when None), oldest first, with its hashes; streamed in batches, from one
        snapshot, so a slow reader (an export piped on) never holds up appends."""
        with read_snapshot(self._engine) as conn:
            for row in stored_rows(conn, naive_utc(since) if since is not None else None):
                yield from_row(AuditEntry, row._mapping)

    def entries(self, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(AuditEntry, r) for r in rows]

    def about(self, subjects: Collection[str], since: datetime | None = None,
              until: datetime | None = None) -> list[AuditEntry]:
        """Every entry about these subjects, oldest first; within [since, until) when given (a fingerprint
        is the subject of every incident it ever had)."""
        query = select(audit_log).where(audit_log.c.subject.in_(list(subjects)))
        if since is not None:
            query = query.where(audit_log.c.at >= naive_utc(since))
        if until is not None:
            query = query.where(audit_log.c.at < naive_utc(until))
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(audit_log.c.id)).mappings().all()
        return [from_row(AuditEntry, r) for r in rows]
