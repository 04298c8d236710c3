"""The audit log: every decision, refusal and action, append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select

from bot.clock import naive_utc
from bot.store.records import AuditEntry, from_row
from bot.store.tables import audit_log


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, actor: str, action: str, subject: str, outcome: str, now: datetime,
               details: dict | None = None) -> None:
        with self._engine.begin() as conn:
            conn.execute(insert(audit_log).values(at=naive_utc(now), actor=actor, action=action,
                                                  subject=subject, outcome=outcome, details=details or {}))

    def entries(self, subject: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(AuditEntry, r) for r in rows]
