"""The figures a planned history (tests/helpers/history.py) must give, worked out from the plan alone with
the README's definitions: what `agentops stats --json` is checked against. Nothing here calls the code
under test."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from tests.helpers.history import PlannedIncident


def nearest_rank(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1]


def spread(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "p50": None, "p95": None}
    return {"count": len(values), "p50": round(nearest_rank(values, 50), 3), "p95": round(nearest_rank(values, 95), 3)}


def ratio(part: float, whole: float, places: int = 4) -> float | None:
    return round(part / whole, places) if whole else None


def monday(moment: datetime) -> date:
    return moment.date() - timedelta(days=moment.weekday())


def expected_stats(plan: list[PlannedIncident], now: datetime, days: int) -> dict[str, Any]:
    since = now - timedelta(days=days)
    window = [p for p in plan if since <= p.posted_at < now]
    resolved = [p for p in window if p.resolve_sec is not None]
    closed = [p for p in window if p.outcome != "open"]

    def seconds(name: str, among: list[PlannedIncident] = window) -> list[float]:
        return [float(getattr(p, name)) for p in among if getattr(p, name) is not None]

    def acknowledged(p: PlannedIncident) -> int | None:
        # the first Acknowledge (ack_sec), never its renewal (reack_sec)
        clicked = p.investigate_sec if p.investigation is not None and p.investigation.clicked else None
        return min((s for s in (p.ack_sec, clicked) if s is not None), default=None)

    # investigations count where they finished (at the diagnosis), not where their incident was posted
    finished = [(p.at(p.diagnose_sec), p.investigation) for p in plan if p.investigation is not None]
    in_window = [i for at, i in finished if at is not None and since <= at < now]
    meant_for_claude = [i for i in in_window if i.engine == "claude" or i.fallback_reason]

    def confidence(back: int) -> float | None:
        values = [i.confidence for at, i in finished if at is not None and now - timedelta(days=back) <= at < now]
        return round(math.fsum(values) / len(values), 4) if values else None

    def cost(p: PlannedIncident) -> float:
        return p.investigation.cost_usd if p.investigation is not None else 0.0

    first, last = monday(since), monday(now - timedelta(microseconds=1))
    weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    outcomes = {w: {"auto_fixed": 0, "escalated": 0, "resolved_otherwise": 0} for w in weeks}
    for p in closed:
        ended = p.at(p.escalate_sec if p.outcome == "escalated" else p.resolve_sec)
        assert ended is not None
        outcomes[monday(ended)][p.outcome] += 1
    costs: dict[date, list[float]] = {w: [] for w in weeks}
    for p in resolved:
        costs[monday(p.at(p.resolve_sec))].append(cost(p))  # type: ignore[arg-type]
    total = math.fsum(i.cost_usd for i in in_window)
    alerts = sum(p.alerts for p in window)
    return {
        "since": since.replace(tzinfo=None).isoformat(), "until": now.replace(tzinfo=None).isoformat(), "days": days,
        "alerts": alerts, "incidents": len(window), "resolved": len(resolved),
        "escalated": sum(p.outcome == "escalated" for p in window), "investigations": len(in_window),
        "time_to_detect": spread(seconds("detect_sec")),
        "time_to_acknowledge": spread([float(s) for p in window if (s := acknowledged(p)) is not None]),
        "time_to_diagnose": spread(seconds("diagnose_sec")),
        "time_to_act": spread(seconds("act_sec")),
        "time_to_resolve": spread(seconds("resolve_sec")),
        "auto_fix_rate": ratio(sum(p.outcome == "auto_fixed" for p in window), len(resolved)),
        "escalation_rate": ratio(sum(p.outcome == "escalated" for p in window), len(closed)),
        "false_positive_rate": ratio(sum(p.alerts for p in window if p.not_problem), alerts),
        "confidence_7d": confidence(7), "confidence_30d": confidence(30),
        "fallback_rate": ratio(sum(1 for i in meant_for_claude if i.fallback_reason), len(meant_for_claude)),
        "cost_usd": round(total, 6),
        "cost_per_investigation_usd": ratio(total, len(in_window), 6),
        "cost_per_resolved_incident_usd": ratio(math.fsum(cost(p) for p in resolved), len(resolved), 6),
        "time_to_resolve_by_type": {t: spread(seconds("resolve_sec", [p for p in resolved if p.alert_type == t]))
                                    for t in sorted({p.alert_type for p in resolved})},
        "weekly_outcomes": [{"week": w.isoformat(), **c} for w, c in outcomes.items()],
        "weekly_cost": [{"week": w.isoformat(), "resolved": len(c), "cost_usd": round(math.fsum(c), 6),
                         "cost_per_resolution_usd": ratio(math.fsum(c), len(c), 6)} for w, c in costs.items()],
    }
