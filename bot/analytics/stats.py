"""The measures of the bot (DESIGN §12, the README's "Measures"), computed from the state store over the
incidents whose alert was posted in [now − days, now).

Percentiles are nearest-rank: of n sorted values, p is the value at rank ⌈p·n/100⌉ (always an observed
value). Durations are seconds to the millisecond, rates 0..1 to four places, confidence to four places,
USD to six; None wherever there is nothing to divide by. The bot's own `agent_health` incidents are left
out: the measures are of the incidents it handles, and its drift alert must not feed its own drift.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from bot.analytics import AGENT_HEALTH
from bot.analytics.report import Percentiles, StatsReport, WeekCost, WeekOutcomes
from bot.clock import aware_utc, naive_utc
from bot.store import Store
from bot.store.analytics import IncidentFacts, InvestigationFacts

MAX_DAYS = 3650


def compute(store: Store, *, now: datetime, days: int = 30) -> StatsReport:
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}, not {days}")
    until = aware_utc(now)
    since = until - timedelta(days=days)
    posted = store.analytics.incidents_posted(since, until, excluded_types=(AGENT_HEALTH,))
    finished = store.analytics.investigations_finished(since, until)
    recent = store.analytics.investigations_finished(until - timedelta(days=30), until)
    outcomes = [outcome(i) for i in posted]
    resolved = [i for i in posted if i.status == "resolved"]
    auto_fixed = outcomes.count("auto_fixed")
    escalated = outcomes.count("escalated")
    closed = len(outcomes) - outcomes.count("open")
    alerts = sum(i.alerts for i in posted)
    cost = math.fsum(i.cost_usd for i in finished)
    by_type: dict[str, list[IncidentFacts]] = {}
    for incident in resolved:
        by_type.setdefault(incident.alert_type, []).append(incident)
    return StatsReport(
        since=naive_utc(since), until=naive_utc(until), days=days, alerts=alerts, incidents=len(posted),
        resolved=len(resolved), escalated=escalated, investigations=len(finished),
        time_to_detect=_spread(posted, lambda i: (i.breach_started_at, i.detected_at)),
        time_to_acknowledge=_spread(posted, lambda i: (i.detected_at, acknowledged_at(i))),
        time_to_diagnose=_spread(posted, lambda i: (i.detected_at, i.diagnosed_at)),
        time_to_act=_spread(posted, lambda i: (i.detected_at, i.acted_at)),
        time_to_resolve=_spread(posted, lambda i: (i.detected_at, i.resolved_at)),
        auto_fix_rate=rate(auto_fixed, len(resolved)),
        escalation_rate=rate(escalated, closed),
        false_positive_rate=rate(sum(i.not_problem for i in posted), alerts),
        confidence_7d=mean_confidence(recent, until - timedelta(days=7)),
        confidence_30d=mean_confidence(recent, until - timedelta(days=30)),
        fallback_rate=fallback_rate(finished),
        cost_usd=_usd(cost),
        cost_per_investigation_usd=_per(cost, len(finished)),
        cost_per_resolved_incident_usd=_per(math.fsum(i.cost_usd for i in resolved), len(resolved)),
        time_to_resolve_by_type={t: _spread(group, lambda i: (i.detected_at, i.resolved_at))
                                 for t, group in sorted(by_type.items())},
        weekly_outcomes=_weekly_outcomes(posted, since, until),
        weekly_cost=_weekly_cost(resolved, since, until),
    )


def outcome(incident: IncidentFacts) -> str:
    """auto_fixed (resolved, with a verified approved action), escalated (handed to people at some point
    and not auto-fixed, whether or not its alert has cleared since), resolved_otherwise, or open."""
    if incident.status == "resolved" and any(a.get("status") == "completed" for a in incident.actions):
        return "auto_fixed"
    if incident.escalated_at is not None or incident.status == "escalated":
        return "escalated"
    return "resolved_otherwise" if incident.status == "resolved" else "open"


def closed_at(incident: IncidentFacts) -> datetime | None:
    """When it left the bot's hands: escalated → the escalation, otherwise its resolution."""
    kind = outcome(incident)
    if kind == "escalated":
        return incident.escalated_at or incident.resolved_at
    return incident.resolved_at if kind != "open" else None


def acknowledged_at(incident: IncidentFacts) -> datetime | None:
    """The first sign a person took it: an Acknowledge, or an Investigate click, whichever came first."""
    moments = [m for m in (incident.first_ack_at, incident.first_click_at) if m is not None]
    return min(moments, default=None)


def percentiles(values: Iterable[float]) -> Percentiles:
    ordered = sorted(values)
    if not ordered:
        return Percentiles(0, None, None)
    return Percentiles(len(ordered), round(_rank(ordered, 50), 3), round(_rank(ordered, 95), 3))


def _rank(ordered: list[float], p: int) -> float:
    """Nearest rank: the value at ⌈p·n/100⌉ (1-based), computed in integers so no float rounds it."""
    return ordered[max(1, -(-p * len(ordered) // 100)) - 1]


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def mean_confidence(finished: list[InvestigationFacts], since: datetime) -> float | None:
    values = [i.confidence for i in finished if i.confidence is not None and i.finished_at >= since]
    return round(math.fsum(values) / len(values), 4) if values else None


def fallback_rate(finished: list[InvestigationFacts]) -> float | None:
    """Answered offline although Claude was configured / every investigation Claude should have answered."""
    meant_for_claude = [i for i in finished if i.engine == "claude" or i.fallback_reason]
    return rate(sum(1 for i in meant_for_claude if i.fallback_reason), len(meant_for_claude))


def _spread(incidents: list[IncidentFacts],
            span: Callable[[IncidentFacts], tuple[datetime | None, datetime | None]]) -> Percentiles:
    seconds = []
    for incident in incidents:
        start, end = span(incident)
        if start is not None and end is not None:
            seconds.append((end - start).total_seconds())
    return percentiles(seconds)


def _usd(value: float) -> float:
    return round(value, 6)


def _per(total: float, count: int) -> float | None:
    return round(total / count, 6) if count else None


def week_of(moment: datetime) -> date:
    """The Monday (UTC) starting the week `moment` falls in."""
    day = aware_utc(moment).date()
    return day - timedelta(days=day.weekday())


def weeks(since: datetime, until: datetime) -> list[date]:
    """Every week the window touches, the first one's Monday possibly before `since`."""
    first, last = week_of(since), week_of(until - timedelta(microseconds=1))
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _weekly_outcomes(posted: list[IncidentFacts], since: datetime, until: datetime) -> tuple[WeekOutcomes, ...]:
    counts = {week: {"auto_fixed": 0, "escalated": 0, "resolved_otherwise": 0} for week in weeks(since, until)}
    for incident in posted:
        moment = closed_at(incident)
        if moment is not None and moment < until:
            counts[week_of(moment)][outcome(incident)] += 1
    return tuple(WeekOutcomes(week, **c) for week, c in counts.items())


def _weekly_cost(resolved: list[IncidentFacts], since: datetime, until: datetime) -> tuple[WeekCost, ...]:
    spent: dict[date, list[float]] = {week: [] for week in weeks(since, until)}
    for incident in resolved:
        if incident.resolved_at is not None and incident.resolved_at < until:
            spent[week_of(incident.resolved_at)].append(incident.cost_usd)
    return tuple(WeekCost(week, len(costs), _usd(math.fsum(costs)), _per(math.fsum(costs), len(costs)))
                 for week, costs in spent.items())
