"""Model spend shared by every replica: an insert-only ledger, one row per model call, summed per hour,
day and model; and the budget notices, each claimed once per window, cap and level.

A ledger rather than a counter row per window: each call's spend is one INSERT, atomic by itself on
SQLite and PostgreSQL alike (no read-modify-write, no dialect's upsert), the hour, day and model
breakdowns come from the same rows, and each row still says which investigation spent it. A busy day is a
few thousand rows, and the sums read one indexed window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.clock import aware_utc, naive_utc
from bot.store.tables import budget_notices, model_spend


@dataclass(frozen=True)
class Spent:
    tokens: int = 0
    usd: float = 0.0


def hour_of(moment: datetime) -> datetime:
    return naive_utc(moment).replace(minute=0, second=0, microsecond=0)


def day_of(moment: datetime) -> datetime:
    return hour_of(moment).replace(hour=0)


class SpendLedger:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, at: datetime, model: str, tokens: int, cost_usd: float,
               investigation_id: str | None = None) -> None:
        with self._engine.begin() as conn:
            conn.execute(insert(model_spend).values(
                at=naive_utc(at), hour=hour_of(at), day=day_of(at), model=model[:100], tokens=int(tokens),
                cost_usd=float(cost_usd), investigation_id=investigation_id))

    def in_windows(self, now: datetime) -> tuple[Spent, Spent]:
        """What this hour and this day (UTC) have spent so far, across every replica: one query."""
        hour = hour_of(now)
        this_hour = model_spend.c.hour == hour
        query = select(func.coalesce(func.sum(model_spend.c.tokens), 0),
                       func.coalesce(func.sum(model_spend.c.cost_usd), 0.0),
                       func.coalesce(func.sum(model_spend.c.tokens).filter(this_hour), 0),
                       func.coalesce(func.sum(model_spend.c.cost_usd).filter(this_hour), 0.0)
                       ).where(model_spend.c.day == day_of(now))
        with self._engine.connect() as conn:
            day_tokens, day_usd, hour_tokens, hour_usd = conn.execute(query).one()
        return Spent(int(hour_tokens), float(hour_usd)), Spent(int(day_tokens), float(day_usd))

    def by(self, period: str, since: datetime) -> dict[datetime, Spent]:
        """Spend per hour or per day from `since`'s window on, by window start (aware UTC); empty windows absent."""
        column = model_spend.c.hour if period == "hour" else model_spend.c.day
        start = hour_of(since) if period == "hour" else day_of(since)
        query = (select(column, func.sum(model_spend.c.tokens), func.sum(model_spend.c.cost_usd))
                 .where(column >= start).group_by(column))
        with self._engine.connect() as conn:
            return {aware_utc(w): Spent(int(t), float(u)) for w, t, u in conn.execute(query).all()}

    def by_model(self, since: datetime) -> dict[str, Spent]:
        query = (select(model_spend.c.model, func.sum(model_spend.c.tokens), func.sum(model_spend.c.cost_usd))
                 .where(model_spend.c.day >= day_of(since)).group_by(model_spend.c.model))
        with self._engine.connect() as conn:
            return {m: Spent(int(t), float(u)) for m, t, u in conn.execute(query).all()}


class BudgetNotices:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, *, period: str, window_start: datetime, cap: str, level: int, now: datetime,
              by: str) -> bool:
        """True for the one replica that tells people about this level of this cap in this window."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(budget_notices).values(
                    period=period, window_start=naive_utc(window_start), cap=cap, level=level,
                    claimed_at=naive_utc(now), claimed_by=by[:100]))
        except IntegrityError:
            return False
        return True

    def claimed(self, since: datetime) -> list[tuple[str, datetime, str, int]]:
        query = (select(budget_notices.c.period, budget_notices.c.window_start, budget_notices.c.cap,
                        budget_notices.c.level).where(budget_notices.c.window_start >= naive_utc(since))
                 .order_by(budget_notices.c.id))
        with self._engine.connect() as conn:
            return [(p, aware_utc(w), c, lv) for p, w, c, lv in conn.execute(query).all()]

