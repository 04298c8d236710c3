"""One sweep: every model's and pipeline's latest measurements, evaluated against the rules.

Two warehouse queries whatever the number of models (QUALIFY keeps each component's latest
rows), producing SPEC §6 Alerts with fingerprint = alert_type:component. Both read only the
last SWEEP_LOOKBACK of measurements (a range on timestamp, which Snowflake prunes micro-partitions
by), so a sweep costs the same with a week or a year of history.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from bot.clock import aware_utc, naive_utc
from bot.rules import SEVERITY_ORDER, Rule, RuleSet, Severity
from bot.warehouse import Warehouse
from bot.warehouse.names import component_name, shown

MODEL_WINDOW = """
SELECT model_name AS component, timestamp, model_version, f1_score, drift_score, latency_p95_ms,
       latency_p99_ms, anomaly_rate, prediction_count
FROM MODEL_METRICS
WHERE timestamp >= %(since)s
QUALIFY ROW_NUMBER() OVER (PARTITION BY model_name ORDER BY timestamp DESC) <= %(n)s"""
PIPELINE_WINDOW = """
SELECT pipeline_name AS component, timestamp, records_processed, records_invalid, null_rate,
       schema_violations, status
FROM DATA_QUALITY
WHERE timestamp >= %(since)s
QUALIFY ROW_NUMBER() OVER (PARTITION BY pipeline_name ORDER BY timestamp DESC) <= %(n)s"""
# the alert a sweep that cannot read the warehouse stands for (raised by the monitor)
WAREHOUSE_FINGERPRINT = "data_quality:warehouse"
# measurements read per component: enough for every `for`, and to say when a breach started
MIN_WINDOW = 12
RUNBOOKS = {"model_drift": "runbooks/model_drift.md", "accuracy_drop": "runbooks/rollback.md",
            "latency": "runbooks/latency_spike.md", "data_quality": "runbooks/data_quality.md",
            "anomaly_spike": "runbooks/incident_response.md"}


@dataclass(frozen=True)
class Alert:
    """SPEC §6's Alert, plus its fingerprint and when the breach started. `component` is SPEC's
    affected_component: the model or pipeline, called a component everywhere else in the product."""

    alert_id: str
    fingerprint: str
    severity: Severity | Literal["info"]  # info only comes from ingested alerts
    alert_type: str
    component: str
    metrics: dict
    message: str
    timestamp: datetime  # the latest measurement
    started_at: datetime  # the oldest measurement of the breach (within the window read)
    runbook: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["affected_component"] = data.pop("component")  # SPEC §6's name, for JSON readers
        data["timestamp"], data["started_at"] = self.timestamp.isoformat(), self.started_at.isoformat()
        return data


@dataclass
class SweepResult:
    alerts: list[Alert]
    components: dict[str, list[dict]] = field(default_factory=dict)  # component → rows, newest first
    queries: int = 0
    # alert types a component had too few measurements in the window to judge (fewer than a rule's `for`)
    unjudged: set[str] = field(default_factory=set)

    def cleared(self, fingerprint: str, component: str) -> bool:
        """Whether a firing alert not found by this sweep has really cleared. A component with no
        measurement in the lookback window, or too few for a rule's `for`, is unknown, not
        recovered: its alerts stay (and repeat) until it reports again."""
        if fingerprint == WAREHOUSE_FINGERPRINT:
            return True
        return component in self.components and fingerprint not in self.unjudged


def _fmt(value: float | str | None) -> str:
    return value if isinstance(value, str) else f"{value:g}" if value is not None else "—"


def evaluate(rule: Rule, rows: list[dict]) -> tuple[Severity, int] | None:
    """(severity, how many latest rows breach) when the latest `for` rows all breach."""
    if len(rows) < rule.for_count:
        return None
    levels = [rule.severity(r.get(rule.column)) for r in rows]
    severity: Severity | None = None
    candidates: tuple[Severity, ...] = ("critical", "warning")
    for candidate in candidates:
        if all(lv is not None and SEVERITY_ORDER[lv] >= SEVERITY_ORDER[candidate]
               for lv in levels[: rule.for_count]):
            severity = candidate
            break
    if severity is None:
        return None
    run = next((i for i, lv in enumerate(levels) if lv is None), len(levels))
    return severity, run


def alerts_for(component: str, rows: list[dict], rules: tuple[Rule, ...]) -> list[Alert]:
    """One alert per alert type: several rules of a type (p95, p99) merge into the worst."""
    found: dict[str, list[tuple[Rule, Severity, int]]] = {}
    for rule in rules:
        result = evaluate(rule, rows)
        if result:
            found.setdefault(rule.alert_type, []).append((rule, *result))
    alerts = []
    for alert_type, hits in found.items():
        severity = max((h[1] for h in hits), key=SEVERITY_ORDER.__getitem__)
        run = max(h[2] for h in hits)
        latest, started = rows[0], rows[run - 1]
        said = latest.get("component_shown", component)  # a shortened name is shown as it was written
        metrics, parts = {}, []
        for rule, level, _ in hits:
            value, limit = latest[rule.column], rule.limit_for(level)
            metrics[rule.column], metrics[f"{rule.column}_threshold"] = value, limit
            if rule.direction == "equals":
                parts.append(f"{rule.column} {value}")
            else:
                sign = ">" if rule.direction == "above" else "<"
                parts.append(f"{rule.column} {_fmt(value)} {sign} {_fmt(limit)}")
        if "model_version" in latest:
            metrics["model_version"] = latest["model_version"]
        fingerprint = f"{alert_type}:{component}"
        started_at, timestamp = aware_utc(started["timestamp"]), aware_utc(latest["timestamp"])
        alerts.append(Alert(
            alert_id=hashlib.sha1(f"{fingerprint}|{started_at.isoformat()}".encode()).hexdigest()[:16],
            fingerprint=fingerprint, severity=severity, alert_type=alert_type, component=component,
            metrics=metrics, message=f"{said}: {', '.join(parts)} ({severity})", timestamp=timestamp,
            started_at=started_at, runbook=RUNBOOKS[alert_type]))
    return alerts


def stale_alert(component: str, latest: dict, now: datetime, rules: RuleSet) -> Alert | None:
    measured = aware_utc(latest["timestamp"])
    if now - measured < rules.stale_after:
        return None
    hours = (now - measured).total_seconds() / 3600
    fingerprint = f"data_quality:{component}"
    return Alert(hashlib.sha1(f"{fingerprint}|stale|{measured.isoformat()}".encode()).hexdigest()[:16],
                 fingerprint, "warning", "data_quality", component,
                 {"last_measurement": measured.isoformat(), "hours_without_data": round(hours, 1)},
                 f"{component}: no fresh metrics for {hours:.1f} h (last {measured:%Y-%m-%d %H:%M} UTC)",
                 measured, measured, RUNBOOKS["data_quality"])


def sweep(warehouse: Warehouse, rules: RuleSet, now: datetime) -> SweepResult:
    """Raises WarehouseUnavailable when the warehouse cannot be read."""
    window = max(rules.deepest_for, MIN_WINDOW)
    result = SweepResult(alerts=[])
    for sql, target in ((MODEL_WINDOW, "model"), (PIPELINE_WINDOW, "pipeline")):
        rows = warehouse.query(sql, {"n": window, "since": naive_utc(now - rules.lookback)})
        result.queries += 1
        by_component: dict[str, list[dict]] = {}
        for row in rows:
            # names are keys (fingerprints, store columns): bounded here, where they enter the bot
            name = component_name(row["component"])
            if name != row["component"]:
                row["component_shown"] = shown(row["component"])
            by_component.setdefault(name, []).append(row)
        for component, component_rows in sorted(by_component.items()):
            component_rows.sort(key=lambda r: r["timestamp"], reverse=True)
            result.components[component] = component_rows
            stale = stale_alert(component, component_rows[0], now, rules)
            if stale:
                result.alerts.append(stale)  # old values say nothing about now
                continue
            component_rules = rules.for_component(component, target)
            result.alerts += alerts_for(component, component_rows, component_rules)
            result.unjudged |= {f"{r.alert_type}:{component}" for r in component_rules
                                if len(component_rows) < r.for_count}
    return result
