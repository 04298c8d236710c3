"""The caps in force (BUDGET_* settings) and where this hour's and this day's spend stands against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import aware_utc
from bot.config import Settings
from bot.metrics import Metrics
from bot.store.budget import SpendLedger, Spent, day_of, hour_of

PERIODS = ("hour", "day")
UNITS = ("tokens", "usd")
LEVELS = (80, 95, 100)  # percent of a cap people are told about, once per window; at 100 investigations go offline


@dataclass(frozen=True)
class Cap:
    period: str  # hour | day
    unit: str  # tokens | usd
    limit: float

    @property
    def name(self) -> str:
        """"hourly token", "daily USD": what people call it."""
        return f"{'hourly' if self.period == 'hour' else 'daily'} {'USD' if self.unit == 'usd' else 'token'}"

    def amount(self, value: float) -> str:
        return f"${value:,.2f}" if self.unit == "usd" else f"{value:,.0f} tokens"


def caps(settings: Settings) -> list[Cap]:
    """The caps that are set (0 is no cap), hourly first."""
    limits = {("hour", "tokens"): settings.budget_tokens_per_hour, ("day", "tokens"): settings.budget_tokens_per_day,
              ("hour", "usd"): settings.budget_usd_per_hour, ("day", "usd"): settings.budget_usd_per_day}
    return [Cap(p, u, float(limits[p, u])) for p in PERIODS for u in UNITS if limits[p, u] > 0]


@dataclass(frozen=True)
class Standing:
    """One cap against its current window's spend."""

    cap: Cap
    spent: float
    window_start: datetime  # aware UTC

    @property
    def ratio(self) -> float:
        return self.spent / self.cap.limit

    @property
    def window_end(self) -> datetime:
        return self.window_start + (timedelta(hours=1) if self.cap.period == "hour" else timedelta(days=1))

    def reached(self) -> list[int]:
        return [level for level in LEVELS if self.ratio * 100 >= level]

    def refusal(self) -> str:
        """Why Claude is not asked, for the thread (the offline investigator's note follows it)."""
        cap = self.cap
        return (f"the {cap.name} budget is spent ({cap.amount(self.spent)} of {cap.amount(cap.limit)}, until "
                f"{self.window_end:%H:%M} UTC{'' if self.cap.period == 'hour' else f' on {self.window_end:%b %d}'})")


def standings(ledger: SpendLedger, settings: Settings, now: datetime) -> list[Standing]:
    """Every cap set, against the fleet's spend in its current window (nothing read when no cap is set)."""
    set_caps = caps(settings)
    if not set_caps:
        return []
    spent = dict(zip(PERIODS, ledger.in_windows(now), strict=True))
    starts = {"hour": aware_utc(hour_of(now)), "day": aware_utc(day_of(now))}
    return [Standing(c, _value(spent[c.period], c.unit), starts[c.period]) for c in set_caps]


def exhausted(current: list[Standing]) -> Standing | None:
    return next((s for s in current if s.ratio >= 1), None)


def _value(spent: Spent, unit: str) -> float:
    return float(spent.tokens) if unit == "tokens" else spent.usd


def export(metrics: Metrics, settings: Settings) -> None:
    """The caps as gauges (0: no cap), present from start, so alert rules can compare spend with them."""
    limits = {(c.period, c.unit): c.limit for c in caps(settings)}
    for period in PERIODS:
        for unit in UNITS:
            metrics.budget_limit.labels(period=period, unit=unit).set(limits.get((period, unit), 0.0))
            metrics.budget_spent.labels(period=period, unit=unit)


def observe(metrics: Metrics, current: list[Standing]) -> None:
    """The fleet's spend in the current windows, as this replica last read it."""
    for standing in current:
        metrics.budget_spent.labels(period=standing.cap.period, unit=standing.cap.unit).set(standing.spent)


def observe_budgets(metrics: Metrics, ledger: SpendLedger, settings: Settings, now: datetime) -> None:
    """The spend gauges refreshed from the ledger (a sweep's), nothing read when no cap is set."""
    observe(metrics, standings(ledger, settings, now))


@dataclass(frozen=True)
class BudgetNotice:
    """A cap's window reached a level (80, 95 or 100 % of it): told once, by the replica that claimed it."""

    standing: Standing
    level: int
