"""Investigations with their diagnosis, token use and cost, and their steps (every model call and tool
call); one running investigation per alert."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.records import Investigation, InvestigationStep, from_row
from bot.store.tables import investigation_steps, investigations

ABANDONED_AFTER = timedelta(minutes=15)  # far longer than any investigation's step cap allows


class InvestigationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(self, *, trigger: str, requested_by: str, now: datetime,
              alert_id: str | None = None) -> Investigation | None:
        """Start one; None when this alert already has one running.

        A 'running' row older than ABANDONED_AFTER belonged to a bot that died mid-way: it is
        closed as failed, so it cannot block the alert's investigations forever.
        """
        investigation_id = uuid.uuid4().hex[:16]
        try:
            with self._engine.begin() as conn:
                if alert_id is not None:
                    conn.execute(update(investigations).where(
                        investigations.c.alert_id == alert_id, investigations.c.status == "running",
                        investigations.c.started_at < naive_utc(now - ABANDONED_AFTER),
                    ).values(status="failed", finished_at=naive_utc(now)))
                conn.execute(insert(investigations).values(
                    investigation_id=investigation_id, alert_id=alert_id, trigger=trigger,
                    requested_by=requested_by, status="running", started_at=naive_utc(now)))
        except IntegrityError:
            return None
        return self.get(investigation_id)

    def get(self, investigation_id: str) -> Investigation | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(investigations)
                               .where(investigations.c.investigation_id == investigation_id)).mappings().first()
        return from_row(Investigation, row) if row else None

    def finish(self, investigation_id: str, *, status: str, now: datetime, engine: str,
               diagnosis: dict | None, input_tokens: int = 0, cached_input_tokens: int = 0,
               output_tokens: int = 0, cache_write_tokens: int = 0, cost_usd: float = 0.0) -> None:
        if status not in ("done", "failed"):
            raise ValueError(f"status must be done or failed, not {status!r}")
        with self._engine.begin() as conn:
            conn.execute(update(investigations).where(investigations.c.investigation_id == investigation_id)
                         .values(status=status, finished_at=naive_utc(now), engine=engine, diagnosis=diagnosis,
                                 input_tokens=input_tokens, cached_input_tokens=cached_input_tokens,
                                 output_tokens=output_tokens, cache_write_tokens=cache_write_tokens,
                                 cost_usd=cost_usd))

    def record_steps(self, investigation_id: str, steps: list[dict]) -> None:
        """Append steps (InvestigationStep's fields but the id and seq) in order, in one transaction."""
        if not steps:
            return
        with self._engine.begin() as conn:
            last = conn.execute(select(func.max(investigation_steps.c.seq)).where(
                investigation_steps.c.investigation_id == investigation_id)).scalar() or 0
            conn.execute(insert(investigation_steps), [
                {**step, "investigation_id": investigation_id, "seq": last + n} for n, step in enumerate(steps, 1)])

    def steps(self, investigation_id: str) -> list[InvestigationStep]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(investigation_steps).where(
                investigation_steps.c.investigation_id == investigation_id)
                .order_by(investigation_steps.c.seq)).mappings().all()
        return [from_row(InvestigationStep, r) for r in rows]

    def recent(self, limit: int = 10) -> list[Investigation]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(investigations).order_by(investigations.c.started_at.desc())
                                .limit(limit)).mappings().all()
        return [from_row(Investigation, r) for r in rows]
