"""A synthetic incident history with known timings, outcomes, costs and confidences, written into a state
store through its public methods: the figures a test expects come from the plan, never from the code
under test.

`plan_history(now)` draws one (200 incidents over 60 days by default, seeded, so every run is the same);
`write_history(store, plan)` records it. Tests that need a particular trend build the plan with their own
`confidence` or `outcome` functions, or write PlannedIncident rows by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store import Store

ALERT_TYPES = ("model_drift", "accuracy_drop", "latency", "data_quality")
OUTCOMES = ("auto_fixed", "escalated", "resolved_otherwise", "open")


@dataclass(frozen=True)
class PlannedInvestigation:
    engine: str  # claude | offline
    fallback_reason: str | None  # set: Claude was configured and did not answer (engine offline)
    cost_usd: float
    confidence: float
    clicked: bool  # a person clicked Investigate (else it was an auto-investigation)


@dataclass(frozen=True)
class PlannedIncident:
    """One incident; every *_sec is seconds after the post (detect_sec: before it)."""

    n: int
    posted_at: datetime
    alert_type: str
    alerts: int  # alerts sharing its post
    detect_sec: int
    outcome: str  # auto_fixed | escalated | resolved_otherwise | open
    ack_sec: int | None = None
    reack_sec: int | None = None  # someone acknowledges again after the escalation (renews ack_sec's)
    investigate_sec: int | None = None  # the investigation starts (with `investigation`)
    diagnose_sec: int | None = None
    act_sec: int | None = None
    escalate_sec: int | None = None
    resolve_sec: int | None = None
    not_problem: bool = False
    investigation: PlannedInvestigation | None = None

    def at(self, seconds: int | None) -> datetime | None:
        return None if seconds is None else self.posted_at + timedelta(seconds=seconds)


def plan_history(now: datetime, *, count: int = 200, days: int = 60, seed: int = 15,
                 confidence: Callable[[datetime, random.Random], float] | None = None,
                 outcome: Callable[[datetime, random.Random], str] | None = None) -> list[PlannedIncident]:
    """`count` incidents posted evenly over the `days` before `now` (the last one an hour before it)."""
    rng = random.Random(seed)
    step = timedelta(days=days) / count
    start = now - timedelta(days=days) + timedelta(minutes=7)
    return [_incident(n, start + step * n, rng, confidence, outcome) for n in range(count)]


def _incident(n: int, posted_at: datetime, rng: random.Random,
              confidence: Callable[[datetime, random.Random], float] | None,
              outcome: Callable[[datetime, random.Random], str] | None) -> PlannedIncident:
    kind = outcome(posted_at, rng) if outcome else rng.choices(OUTCOMES, weights=(55, 20, 15, 10))[0]
    investigated = kind in ("auto_fixed", "escalated") or rng.random() < 0.5
    ack = rng.randint(30, 900) if rng.random() < 0.7 else None
    start = rng.randint(5, 600) if investigated else None
    diagnose = start + rng.randint(20, 240) if start is not None else None
    act = diagnose + rng.randint(60, 1200) if kind == "auto_fixed" and diagnose is not None else None
    escalate = (diagnose or 0) + rng.randint(1, 600) if kind == "escalated" else None
    if kind == "auto_fixed":
        resolve: int | None = (act or 0) + rng.randint(120, 1800)
    elif kind == "resolved_otherwise" or (kind == "escalated" and rng.random() < 0.5):
        resolve = max(diagnose or 0, escalate or 0) + rng.randint(300, 7200)
    else:
        resolve = None
    # every third escalation acknowledged before it is renewed an hour later: the first one is measured
    # (derived, not drawn, so the seeded history stays the same)
    reack = escalate + 3600 if escalate is not None and ack is not None and ack < escalate and n % 3 == 0 \
        else None
    fallback = rng.random() < 0.15
    engine = "offline" if fallback or rng.random() < 0.2 else "claude"
    investigation = PlannedInvestigation(
        engine=engine, fallback_reason="unreachable" if fallback else None,
        cost_usd=0.0 if engine == "offline" else round(rng.uniform(0.005, 0.09), 6),
        confidence=confidence(posted_at, rng) if confidence else round(rng.uniform(0.5, 0.95), 2),
        clicked=rng.random() < 0.6) if investigated else None
    return PlannedIncident(
        n=n, posted_at=posted_at, alert_type=ALERT_TYPES[n % len(ALERT_TYPES)], alerts=1 + (n % 5 == 0),
        detect_sec=rng.randint(30, 600), outcome=kind, ack_sec=ack, reack_sec=reack, investigate_sec=start,
        diagnose_sec=diagnose,
        act_sec=act, escalate_sec=escalate, resolve_sec=resolve, not_problem=rng.random() < 0.08,
        investigation=investigation)


def write_history(store: Store, plan: Iterable[PlannedIncident]) -> None:
    for incident in plan:
        _write(store, incident)


def _write(store: Store, p: PlannedIncident) -> None:
    component = f"model_{p.n}"
    alert_ids = []
    for k in range(p.alerts):
        alert = store.alerts.open(fingerprint=f"{p.alert_type}:{component}:{k}", alert_type=p.alert_type,
                                  severity="critical", component=component, message=f"{component} breached",
                                  metrics={}, now=p.posted_at)
        assert alert is not None
        alert_ids.append(alert.alert_id)
    store.alerts.record_post(alert_ids, "C0ALERTS", f"{p.posted_at.timestamp():.6f}", p.posted_at)
    incident = store.incidents.open(alert_ids=alert_ids, fingerprint=f"{p.alert_type}:{component}",
                                    alert_type=p.alert_type, severity="critical", component=component,
                                    breach_started_at=p.posted_at - timedelta(seconds=p.detect_sec), now=p.posted_at)
    iid = incident.incident_id
    if p.ack_sec is not None:
        assert store.escalations.acknowledge(alert_ids, "U0ONCALL", p.at(p.ack_sec))  # type: ignore[arg-type]
    if p.not_problem:
        assert store.alerts.mark_not_problem(alert_ids, "U0ONCALL", p.posted_at + timedelta(seconds=45))
    if p.investigation is not None and p.investigate_sec is not None:
        _investigate(store, p, p.investigation, alert_ids[0])
    if p.diagnose_sec is not None:
        store.incidents.advance(iid, "awaiting_approval" if p.outcome == "auto_fixed" else "investigating",
                                diagnosed_at=p.at(p.diagnose_sec))
    if p.act_sec is not None:
        store.incidents.advance(iid, "remediating")
        store.incidents.mark_acted(iid, p.at(p.act_sec))  # type: ignore[arg-type]
        store.incidents.add_action(iid, "rollback", "completed", "verified: v2.3.0 serving",
                                   p.at(p.act_sec + 60), request_id=f"req-{p.n}")  # type: ignore[arg-type]
    if p.escalate_sec is not None:
        store.incidents.advance(iid, "escalated", escalated_at=p.at(p.escalate_sec))
    if p.reack_sec is not None:
        assert store.escalations.acknowledge(alert_ids, "U0SECOND", p.at(p.reack_sec),  # type: ignore[arg-type]
                                             since=p.at(p.escalate_sec))
    if p.resolve_sec is not None:
        resolved_at = p.at(p.resolve_sec)
        for k in range(p.alerts):
            store.alerts.resolve(f"{p.alert_type}:{component}:{k}", resolved_at)  # type: ignore[arg-type]
        store.incidents.advance(iid, "resolved", resolved_at=resolved_at)


def _investigate(store: Store, p: PlannedIncident, plan: PlannedInvestigation, lead: str) -> None:
    started_at, finished_at = p.at(p.investigate_sec), p.at(p.diagnose_sec)
    record = store.investigations.start(trigger=f"{p.alert_type} on model_{p.n}",
                                        requested_by="U0ONCALL" if plan.clicked else "agentops",
                                        now=started_at, alert_id=lead, component=f"model_{p.n}",  # type: ignore[arg-type]
                                        auto=not plan.clicked)
    assert record is not None
    diagnosis = {"root_cause": "synthetic", "root_cause_category": "unknown", "confidence": plan.confidence}
    assert store.investigations.finish(record.investigation_id, status="done", now=finished_at,  # type: ignore[arg-type]
                                       engine=plan.engine, diagnosis=diagnosis, cost_usd=plan.cost_usd,
                                       fallback_reason=plan.fallback_reason)
