"""The demo world: healthy baselines for every model and pipeline, and one scenario per runbook.

A scenario is a list of effects applied over the event window (the last two hours) on top of
seven days of hourly baseline. Rows are built in Python with a fixed random seed, so every
seeding of a scenario has the same shape, anchored to "now".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.warehouse.schema import FEATURE_NAMES

HISTORY = timedelta(days=7)
EVENT_WINDOW = timedelta(hours=2)
EVENT_STEP = timedelta(minutes=10)  # the event is measured more often than the hourly baseline

MODELS: dict[str, dict[str, float | str]] = {
    "classifier_v2": dict(model_version="v2.4.0", f1_score=0.91, precision_score=0.93, recall_score=0.89,
                          auc_roc=0.97, drift_score=0.10, latency_p50_ms=45.0, latency_p95_ms=120.0,
                          latency_p99_ms=200.0, prediction_count=12_000, anomaly_rate=0.020),
    "lstm_v1": dict(model_version="v1.2.0", f1_score=0.90, precision_score=0.91, recall_score=0.89,
                    auc_roc=0.96, drift_score=0.08, latency_p50_ms=80.0, latency_p95_ms=210.0,
                    latency_p99_ms=340.0, prediction_count=6_000, anomaly_rate=0.015),
    "anomaly_v1": dict(model_version="v1.0.3", f1_score=0.90, precision_score=0.88, recall_score=0.92,
                       auc_roc=0.95, drift_score=0.09, latency_p50_ms=20.0, latency_p95_ms=60.0,
                       latency_p99_ms=110.0, prediction_count=15_000, anomaly_rate=0.030),
}
PIPELINES: dict[str, dict[str, float]] = {
    "transactions_ingest": dict(records_processed=50_000, null_rate=0.010, schema_violations=0,
                                out_of_range_count=12),
    "feature_pipeline": dict(records_processed=48_000, null_rate=0.008, schema_violations=0,
                             out_of_range_count=5),
}

Target = Literal["model", "pipeline", "feature"]


@dataclass(frozen=True)
class Effect:
    """Moves one column of one component to `value` over the event window."""

    target: Target
    component: str
    column: str
    value: float | str
    feature: str | None = None
    # ramp: a gradual slide (drift, nulls); step: from the window's start (a deploy, a schema change)
    shape: Literal["ramp", "step"] = "ramp"


@dataclass(frozen=True)
class Scenario:
    name: str
    story: str
    runbook: str
    effects: list[Effect] = field(default_factory=list)


def _m(component: str, column: str, value: float | str, shape: Literal["ramp", "step"] = "ramp") -> Effect:
    return Effect("model", component, column, value, shape=shape)


def _p(component: str, column: str, value: float, shape: Literal["ramp", "step"] = "ramp") -> Effect:
    return Effect("pipeline", component, column, value, shape=shape)


def _f(model: str, feature: str, psi: float) -> Effect:
    return Effect("feature", model, "psi_score", psi, feature=feature)


SCENARIOS: dict[str, Scenario] = {s.name: s for s in [
    Scenario("healthy", "Every model and pipeline within its baseline.", "incident_response.md"),
    Scenario(
        "drift",
        "classifier_v2 input distribution shifts: V14 and V17 drift, F1 falls to 0.82; data quality healthy.",
        "model_drift.md",
        [_m("classifier_v2", "f1_score", 0.82), _m("classifier_v2", "precision_score", 0.85),
         _m("classifier_v2", "recall_score", 0.79), _m("classifier_v2", "auc_roc", 0.91),
         _m("classifier_v2", "drift_score", 0.45), _f("classifier_v2", "V14", 0.80),
         _f("classifier_v2", "V17", 0.60)],
    ),
    Scenario(
        "null_spike",
        "transactions_ingest starts emitting 15% nulls (Amount); models barely move.",
        "data_quality.md",
        [_p("transactions_ingest", "null_rate", 0.15), _m("classifier_v2", "f1_score", 0.895),
         _f("classifier_v2", "Amount", 0.24)],
    ),
    Scenario(
        "latency_spike",
        "classifier_v2 v2.5.0 (a larger model) is deployed; p99 climbs to 3 s, accuracy unchanged.",
        "latency_spike.md",
        [_m("classifier_v2", "model_version", "v2.5.0", "step"), _m("classifier_v2", "latency_p50_ms", 380.0),
         _m("classifier_v2", "latency_p95_ms", 1400.0), _m("classifier_v2", "latency_p99_ms", 3000.0)],
    ),
    Scenario(
        "latency_saturation",
        "Traffic to classifier_v2 climbs 75 % with no new version; p95 → 630 ms, p99 → 1.2 s as the serving pods "
        "run out of capacity; accuracy unchanged.",
        "latency_spike.md",
        [_m("classifier_v2", "prediction_count", 21_000), _m("classifier_v2", "latency_p50_ms", 90.0),
         _m("classifier_v2", "latency_p95_ms", 630.0), _m("classifier_v2", "latency_p99_ms", 1200.0)],
    ),
    Scenario(
        "anomaly_spike",
        "A legitimate promotion: traffic x2.5 and anomaly_v1 flags 25% of transactions; F1 and drift stable.",
        "incident_response.md",
        [_m("anomaly_v1", "anomaly_rate", 0.25), _m("anomaly_v1", "prediction_count", 37_500),
         _m("anomaly_v1", "drift_score", 0.12)],
    ),
    Scenario(
        "schema_change",
        "An upstream system adds a field; feature_pipeline rejects rows on schema violations.",
        "data_quality.md",
        [_p("feature_pipeline", "schema_violations", 4_000, "step"),
         _p("feature_pipeline", "out_of_range_count", 900, "step")],
    ),
    Scenario(
        "bad_deploy",
        "classifier_v2 v2.5.0 trained on corrupted data is deployed; F1 drops to 0.78 with no input drift.",
        "rollback.md",
        [_m("classifier_v2", "model_version", "v2.5.0", "step"), _m("classifier_v2", "f1_score", 0.78, "step"),
         _m("classifier_v2", "precision_score", 0.80, "step"), _m("classifier_v2", "recall_score", 0.76, "step"),
         _m("classifier_v2", "auc_roc", 0.88, "step")],
    ),
]}


@dataclass
class ScenarioRows:
    model_metrics: list[dict] = field(default_factory=list)
    data_quality: list[dict] = field(default_factory=list)
    feature_drift: list[dict] = field(default_factory=list)


def timeline(now: datetime) -> list[tuple[datetime, float]]:
    """(timestamp, event progress 0..1): hourly history, then the event window every 10 minutes."""
    start = now - EVENT_WINDOW
    history_hours = int((HISTORY - EVENT_WINDOW) / timedelta(hours=1))
    points = [(start - timedelta(hours=h), 0.0) for h in range(history_hours, 0, -1)]
    steps = int(EVENT_WINDOW / EVENT_STEP)
    points += [(start + EVENT_STEP * i, i / steps) for i in range(1, steps + 1)]
    return points


def _moved(baseline: float | str, effect: Effect | None, progress: float) -> float | str:
    if effect is None or progress <= 0:
        return baseline
    if effect.shape == "step" or isinstance(baseline, str):
        return effect.value
    return baseline + (float(effect.value) - baseline) * progress


def _jitter(rng: random.Random, value: float, relative: float) -> float:
    return value * (1 + rng.gauss(0, relative))


def build(scenario_name: str, now: datetime) -> ScenarioRows:
    """All rows of a scenario, `now` being naive UTC (the warehouse's TIMESTAMP_NTZ)."""
    scenario = SCENARIOS[scenario_name]
    effects = {(e.target, e.component, e.column, e.feature): e for e in scenario.effects}
    rng = random.Random(7)  # the same noise for every scenario, so only the effects differ
    rows = ScenarioRows()
    for ts, progress in timeline(now):
        stamp = ts.isoformat(timespec="seconds")
        for model, base in MODELS.items():
            row: dict = {"timestamp": stamp, "model_name": model}
            for column, value in base.items():
                moved = _moved(value, effects.get(("model", model, column, None)), progress)
                if isinstance(moved, str):
                    row[column] = moved
                elif column == "prediction_count":
                    row[column] = round(_jitter(rng, moved, 0.05))
                elif column.startswith(("latency", "anomaly")):
                    row[column] = round(_jitter(rng, moved, 0.04), 4)
                else:  # scores in [0, 1]: absolute noise so healthy values stay near baseline
                    row[column] = round(min(1.0, max(0.0, moved + rng.gauss(0, 0.003))), 4)
            rows.model_metrics.append(row)
            for feature in FEATURE_NAMES:
                base_psi = 0.02 + 0.05 * rng.random()
                psi = float(_moved(base_psi, effects.get(("feature", model, "psi_score", feature)), progress))
                rows.feature_drift.append({
                    "timestamp": stamp, "model_name": model, "feature_name": feature,
                    "psi_score": round(psi, 4),
                    # KS and shifts track PSI the way they do for a real shifted feature
                    "ks_statistic": round(min(1.0, 0.03 + 0.45 * psi + rng.gauss(0, 0.005)), 4),
                    "mean_shift": round(1.4 * psi * rng.choice((-1, 1)) + rng.gauss(0, 0.01), 4),
                    "std_shift": round(0.4 * psi + rng.gauss(0, 0.005), 4),
                })
        for pipeline, base in PIPELINES.items():
            values = {column: _moved(value, effects.get(("pipeline", pipeline, column, None)), progress)
                      for column, value in base.items()}
            processed = round(_jitter(rng, float(values["records_processed"]), 0.03))
            null_rate = round(max(0.0, float(values["null_rate"]) + rng.gauss(0, 0.001)), 4)
            violations = round(float(values["schema_violations"]))
            out_of_range = round(max(0.0, _jitter(rng, float(values["out_of_range_count"]), 0.2)))
            invalid = min(processed, round(processed * null_rate) + violations + out_of_range)
            rows.data_quality.append({
                "timestamp": stamp, "pipeline_name": pipeline, "records_processed": processed,
                "records_valid": processed - invalid, "records_invalid": invalid, "null_rate": null_rate,
                "schema_violations": violations, "out_of_range_count": out_of_range,
                "status": pipeline_status(null_rate, violations),
            })
    return rows


def pipeline_status(null_rate: float, schema_violations: int) -> str:
    """The pipeline's own verdict on a run, as its data-quality job would write it."""
    if null_rate > 0.10 or schema_violations > 100:
        return "critical"
    if null_rate > 0.05 or schema_violations > 0:
        return "warning"
    return "healthy"
