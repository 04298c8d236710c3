"""The audit log: every decision, refusal and action, append-only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, insert, select

from bot.clock import naive_utc
from bot.store.records import AuditEntry, from_row
from bot.store.tables import audit_log


def _fit(text: str | None, length: int) -> str | None:
    return None if text is None else str(text).replace("\x00", "")[:length]


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, actor: str, action: str, subject: str, outcome: str, now: datetime,
               details: dict | None = None, channel: str | None = None, message_ts: str | None = None) -> None:
        """Append one entry. Text is bounded to its column (and NULs dropped, which PostgreSQL refuses),
        so a hostile id from a click is recorded as far as it can be read, never lost to an error."""
        with self._engine.begin() as conn:
            conn.execute(insert(audit_log).values(
                at=naive_utc(now), actor=_fit(actor, 40), action=_fit(action, 60), subject=_fit(subject, 200),
                outcome=_fit(outcome, 40), details=details or {}, channel=_fit(channel, 40),
                message_ts=_fit(message_ts, 40)))

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
