"""Investigations with their diagnosis, token use and cost, and their steps (every model call and tool
call); one running investigation per alert, held by one replica under a lease it renews."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.records import Investigation, InvestigationStep, from_row
from bot.store.tables import investigation_steps, investigations

# the lease of a claim made without one (and of rows from before leases): far longer than any
# investigation's step cap allows
ABANDONED_AFTER = timedelta(minutes=15)


def _lapsed(moment: datetime) -> ColumnElement[bool]:
    """A running claim nobody renews: its lease ran out (a row from before leases has none)."""
    return or_(investigations.c.lease_until < moment, investigations.c.lease_until.is_(None))


class InvestigationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(self, *, trigger: str, requested_by: str, now: datetime, alert_id: str | None = None,
              component: str | None = None, thread: tuple[str, str] | None = None, owner: str | None = None,
              lease: timedelta = ABANDONED_AFTER, auto: bool = False) -> Investigation | None:
        """Claim one, held by `owner` until `now + lease` (renewed while it runs); None when this alert
        already has one running whose lease holds.

        A running claim whose lease lapsed belonged to a replica that died mid-way: it is closed as
        abandoned in the same transaction, so it cannot block the alert's investigations.
        """
        investigation_id = uuid.uuid4().hex[:16]
        moment = naive_utc(now)
        channel, ts = thread or (None, None)
        try:
            with self._engine.begin() as conn:
                if alert_id is not None:
                    conn.execute(update(investigations).where(
                        investigations.c.alert_id == alert_id, investigations.c.status == "running",
                        _lapsed(moment)).values(status="abandoned", finished_at=moment))
                conn.execute(insert(investigations).values(
                    investigation_id=investigation_id, alert_id=alert_id, trigger=trigger,
                    requested_by=requested_by, status="running", started_at=moment, component=component,
                    slack_channel=channel, slack_ts=ts, lease_owner=owner, lease_until=naive_utc(now + lease),
                    auto=auto))
        except IntegrityError:
            return None
        return self.get(investigation_id)

    def running_for(self, alert_id: str) -> Investigation | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(investigations).where(
                investigations.c.alert_id == alert_id, investigations.c.status == "running")).mappings().first()
        return from_row(Investigation, row) if row else None

    # The lease: the holder renews it; once it lapses, exactly one other replica takes the claim over.

    def renew(self, investigation_ids: Collection[str], owner: str, until: datetime) -> set[str]:
        """Extend `owner`'s leases on these running investigations; returns the ids it still holds."""
        if not investigation_ids:
            return set()
        with self._engine.begin() as conn:
            conn.execute(update(investigations).where(
                investigations.c.investigation_id.in_(list(investigation_ids)),
                investigations.c.lease_owner == owner, investigations.c.status == "running",
            ).values(lease_until=naive_utc(until)))
            held = conn.execute(select(investigations.c.investigation_id).where(
                investigations.c.investigation_id.in_(list(investigation_ids)),
                investigations.c.lease_owner == owner, investigations.c.status == "running")).scalars().all()
        return set(held)

    def lapsed(self, now: datetime, limit: int = 50) -> list[Investigation]:
        """Running investigations whose holder stopped renewing them, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(investigations).where(
                investigations.c.status == "running", _lapsed(naive_utc(now)))
                .order_by(investigations.c.started_at).limit(limit)).mappings().all()
        return [from_row(Investigation, r) for r in rows]

    def take_over(self, investigation_id: str, owner: str, now: datetime, lease: timedelta) -> Investigation | None:
        """Compare-and-set: the lapsed claim becomes `owner`'s, one attempt more; None when another
        replica took it first or its holder renewed it meanwhile."""
        moment = naive_utc(now)
        with self._engine.begin() as conn:
            taken = conn.execute(update(investigations).where(
                investigations.c.investigation_id == investigation_id, investigations.c.status == "running",
                _lapsed(moment)).values(lease_owner=owner, lease_until=naive_utc(now + lease),
                                        attempts=investigations.c.attempts + 1)).rowcount
        return self.get(investigation_id) if taken else None

    def abandon(self, investigation_id: str, owner: str, now: datetime) -> bool:
        """Close `owner`'s running claim as abandoned (the alert can be investigated again)."""
        with self._engine.begin() as conn:
            return bool(conn.execute(update(investigations).where(
                investigations.c.investigation_id == investigation_id, investigations.c.status == "running",
                investigations.c.lease_owner == owner).values(status="abandoned", finished_at=naive_utc(now)))
                .rowcount)

    def get(self, investigation_id: str) -> Investigation | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(investigations)
                               .where(investigations.c.investigation_id == investigation_id)).mappings().first()
        return from_row(Investigation, row) if row else None

    def finish(self, investigation_id: str, *, status: str, now: datetime, engine: str,
               diagnosis: dict | None, input_tokens: int = 0, cached_input_tokens: int = 0,
               output_tokens: int = 0, cache_write_tokens: int = 0, cost_usd: float = 0.0,
               owner: str | None = None, fallback_reason: str | None = None) -> bool:
        """Record the outcome; with `owner`, only while that replica still holds the running claim
        (False: another replica took it over, and its outcome is the one that counts). `fallback_reason`:
        why Claude, configured, did not answer (None when it did, or when it was not configured)."""
        if status not in ("done", "failed"):
            raise ValueError(f"status must be done or failed, not {status!r}")
        held = [] if owner is None else [investigations.c.lease_owner == owner, investigations.c.status == "running"]
        with self._engine.begin() as conn:
            return bool(conn.execute(update(investigations).where(
                investigations.c.investigation_id == investigation_id, *held)
                         .values(status=status, finished_at=naive_utc(now), engine=engine, diagnosis=diagnosis,
                                 input_tokens=input_tokens, cached_input_tokens=cached_input_tokens,
                                 output_tokens=output_tokens, cache_write_tokens=cache_write_tokens,
                                 cost_usd=cost_usd, fallback_reason=fallback_reason)).rowcount)

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

    def for_alerts(self, alert_ids: Collection[str]) -> list[Investigation]:
        """Every investigation of these alerts (an incident's), oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(investigations).where(investigations.c.alert_id.in_(list(alert_ids)))
                                .order_by(investigations.c.started_at, investigations.c.id)).mappings().all()
        return [from_row(Investigation, r) for r in rows]
