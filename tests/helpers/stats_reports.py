"""Hand-made StatsReports for the surfaces that render one (charts, Block Kit, App Home): a busy
30-day window with every figure defined, an empty one, and one with many alert types."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.analytics.report import Percentiles, StatsReport, WeekCost, WeekOutcomes

UNTIL = datetime(2026, 12, 1, 12, 0)
NONE = Percentiles(0, None, None)


def minutes(count: int, p50: float, p95: float) -> Percentiles:
    return Percentiles(count, p50 * 60, p95 * 60)


def busy_report(types: int = 0) -> StatsReport:
    """30 days, 5 weeks; `types` > 0 adds that many extra ingested alert types to the by-type table."""
    weeks = [date(2026, 10, 26) + timedelta(weeks=i) for i in range(5)]
    outcomes = tuple(WeekOutcomes(w, fixed, esc, other) for w, (fixed, esc, other) in
                     zip(weeks, [(3, 1, 2), (7, 2, 1), (5, 0, 3), (9, 1, 1), (4, 2, 0)], strict=True))
    cost = tuple(WeekCost(w, resolved, spend, spend / resolved) for w, (resolved, spend) in
                 zip(weeks, [(6, 1.38), (10, 2.10), (8, 1.52), (11, 2.97), (6, 1.02)], strict=True))
    by_type = {"model_drift": minutes(14, 11.5, 26.0), "accuracy_drop": minutes(9, 18.0, 41.0),
               "latency": minutes(12, 6.0, 14.5), "data_quality": minutes(7, 22.0, 63.0),
               "anomaly_spike": minutes(4, 3.5, 9.0)}
    by_type |= {f"ingested_rule_{i:03d}": minutes(1 + i % 3, 5 + i % 7, 9 + i % 11) for i in range(types)}
    return StatsReport(
        since=UNTIL - timedelta(days=30), until=UNTIL, days=30, alerts=58, incidents=46, resolved=41, escalated=6,
        investigations=44, time_to_detect=minutes(46, 2.2, 4.8), time_to_acknowledge=minutes(40, 3.0, 9.5),
        time_to_diagnose=minutes(44, 1.6, 3.9), time_to_act=minutes(30, 7.5, 16.0),
        time_to_resolve=minutes(41, 12.0, 38.0), auto_fix_rate=28 / 41, escalation_rate=6 / 47,
        false_positive_rate=2 / 58, confidence_7d=0.81, confidence_30d=0.84, fallback_rate=0.05, cost_usd=8.99,
        cost_per_investigation_usd=8.99 / 44, cost_per_resolved_incident_usd=8.99 / 41,
        time_to_resolve_by_type=by_type, weekly_outcomes=outcomes, weekly_cost=cost)


def empty_report(days: int = 30) -> StatsReport:
    return StatsReport(
        since=UNTIL - timedelta(days=days), until=UNTIL, days=days, alerts=0, incidents=0, resolved=0, escalated=0,
        investigations=0, time_to_detect=NONE, time_to_acknowledge=NONE, time_to_diagnose=NONE, time_to_act=NONE,
        time_to_resolve=NONE, auto_fix_rate=None, escalation_rate=None, false_positive_rate=None,
        confidence_7d=None, confidence_30d=None, fallback_rate=None, cost_usd=0.0, cost_per_investigation_usd=None,
        cost_per_resolved_incident_usd=None)
