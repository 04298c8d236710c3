"""What `agentops stats`, `/agentops stats` and App Home show: one report, computed once from the store
(bot/analytics/stats.py) and rendered by each surface. Durations are seconds; rates are 0..1, None when
there is nothing to divide by (shown as "—", never as 0 %)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Percentiles:
    """p50 and p95 of a duration over `count` incidents (None when count is 0)."""

    count: int
    p50: float | None
    p95: float | None


@dataclass(frozen=True)
class WeekOutcomes:
    """Incidents closed in the week starting `week` (a Monday, UTC), by how they ended."""

    week: date
    auto_fixed: int  # resolved by a verified approved action
    escalated: int
    resolved_otherwise: int  # cleared by itself, or fixed by people outside the bot


@dataclass(frozen=True)
class WeekCost:
    """Investigation spend of the incidents resolved in the week, per resolved incident."""

    week: date
    resolved: int
    cost_usd: float
    cost_per_resolution_usd: float | None


@dataclass(frozen=True)
class StatsReport:
    since: datetime  # naive UTC, inclusive
    until: datetime  # naive UTC, exclusive
    days: int
    alerts: int
    incidents: int
    resolved: int
    escalated: int
    investigations: int
    time_to_detect: Percentiles
    time_to_acknowledge: Percentiles
    time_to_diagnose: Percentiles
    time_to_act: Percentiles
    time_to_resolve: Percentiles
    auto_fix_rate: float | None
    escalation_rate: float | None
    false_positive_rate: float | None
    confidence_7d: float | None  # mean diagnosis confidence, investigations finished in the last 7 days
    confidence_30d: float | None
    fallback_rate: float | None  # investigations Claude should have answered that the offline one did
    cost_usd: float
    cost_per_investigation_usd: float | None
    cost_per_resolved_incident_usd: float | None
    time_to_resolve_by_type: dict[str, Percentiles] = field(default_factory=dict)
    weekly_outcomes: tuple[WeekOutcomes, ...] = ()
    weekly_cost: tuple[WeekCost, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types: datetimes and dates as ISO 8601 strings."""
        def plain(value: Any) -> Any:
            if isinstance(value, (datetime, date)):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            return value
        return plain(asdict(self))
