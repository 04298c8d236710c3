"""What `/agentops budget` and `agentops budget` show: spend by hour (last 24 h), by day (last 7 days) and
by model (last 7 days), and each cap against its current window — the fleet's, read from the state store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.budgets.caps import Standing, standings
from bot.clock import aware_utc
from bot.config import Settings
from bot.store import Store
from bot.store.budget import Spent, day_of, hour_of

HOURS, DAYS = 24, 7


@dataclass(frozen=True)
class BudgetReport:
    now: datetime
    current: list[Standing]  # every cap set; empty when none is
    hours: list[tuple[datetime, Spent]]  # oldest first, the current hour last, empty hours included
    days: list[tuple[datetime, Spent]]
    models: list[tuple[str, Spent]]  # the last 7 days, the costliest first

    def as_json(self) -> dict[str, Any]:
        def spent(s: Spent) -> dict[str, Any]:
            return {"tokens": s.tokens, "usd": round(s.usd, 6)}
        return {"now": self.now.isoformat(),
                "caps": [{"period": s.cap.period, "unit": s.cap.unit, "limit": s.cap.limit, "spent": s.spent,
                          "percent": round(100 * s.ratio, 1), "window_start": s.window_start.isoformat(),
                          "window_end": s.window_end.isoformat()} for s in self.current],
                "hours": [{"hour": h.isoformat(), **spent(s)} for h, s in self.hours],
                "days": [{"day": d.date().isoformat(), **spent(s)} for d, s in self.days],
                "models": [{"model": m, **spent(s)} for m, s in self.models]}


def budget_report(store: Store, settings: Settings, now: datetime) -> BudgetReport:
    hour, day = aware_utc(hour_of(now)), aware_utc(day_of(now))
    hours = [hour - timedelta(hours=n) for n in reversed(range(HOURS))]
    days = [day - timedelta(days=n) for n in reversed(range(DAYS))]
    by_hour, by_day = store.spend.by("hour", hours[0]), store.spend.by("day", days[0])
    models = sorted(store.spend.by_model(days[0]).items(), key=lambda m: (-m[1].usd, -m[1].tokens, m[0]))
    return BudgetReport(aware_utc(now), standings(store.spend, settings, now),
                        [(h, by_hour.get(h, Spent())) for h in hours], [(d, by_day.get(d, Spent())) for d in days],
                        models)
