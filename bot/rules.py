"""Alert thresholds (DESIGN §5 defaults) and the assessment of one measurement against them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["critical", "warning"]
SEVERITY_ORDER = {"healthy": 0, "info": 1, "warning": 2, "critical": 3}


@dataclass(frozen=True)
class Threshold:
    alert_type: str
    column: str
    direction: Literal["above", "below"]
    warning: float | None
    critical: float | None

    def severity(self, value: float | None) -> Severity | None:
        if value is None:
            return None
        breached = (lambda limit: value > limit) if self.direction == "above" else (lambda limit: value < limit)
        if self.critical is not None and breached(self.critical):
            return "critical"
        if self.warning is not None and breached(self.warning):
            return "warning"
        return None

    def limit_for(self, severity: Severity) -> float:
        return self.critical if severity == "critical" else self.warning  # type: ignore[return-value]


MODEL_THRESHOLDS = (
    Threshold("model_drift", "drift_score", "above", 0.2, 0.3),
    Threshold("accuracy_drop", "f1_score", "below", None, 0.88),
    Threshold("latency", "latency_p95_ms", "above", 500, None),
    Threshold("latency", "latency_p99_ms", "above", None, 1000),
    Threshold("anomaly_spike", "anomaly_rate", "above", 0.10, 0.20),
)
PIPELINE_THRESHOLDS = (
    Threshold("data_quality", "null_rate", "above", 0.05, 0.10),
)


@dataclass(frozen=True)
class Breach:
    threshold: Threshold
    severity: Severity
    value: float


def breaches(row: dict, thresholds: tuple[Threshold, ...]) -> list[Breach]:
    found = []
    for threshold in thresholds:
        severity = threshold.severity(row.get(threshold.column))
        if severity:
            found.append(Breach(threshold, severity, row[threshold.column]))
    if row.get("status") == "critical" and "pipeline_name" in row:  # the pipeline's own verdict counts
        status_rule = Threshold("data_quality", "status", "above", None, None)
        found.append(Breach(status_rule, "critical", 1.0))
    return found


def overall(found: list[Breach]) -> str:
    """healthy | warning | critical: the worst of the breaches."""
    return max((b.severity for b in found), key=SEVERITY_ORDER.__getitem__, default="healthy")
