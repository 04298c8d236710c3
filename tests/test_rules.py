"""Rules: every threshold at, just below and just above; `for`; stale data; the rules file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.monitor.sweep import alerts_for, stale_alert
from bot.rules import DEFAULT_RULES, RuleSet, RulesFileError, load_rules

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
HEALTHY_MODEL = {"model_version": "v2.4.0", "f1_score": 0.91, "drift_score": 0.1, "latency_p95_ms": 120.0,
                 "latency_p99_ms": 200.0, "anomaly_rate": 0.02}
HEALTHY_PIPELINE = {"null_rate": 0.01, "status": "healthy", "records_processed": 50_000, "schema_violations": 0}


def rows(base: dict, count: int = 3, **latest: object) -> list[dict]:
    """`count` measurements 10 minutes apart, newest first, all with `latest`'s values."""
    return [{**base, **latest, "timestamp": (NOW - timedelta(minutes=10 * i)).replace(tzinfo=None)}
            for i in range(count)]


def fired(component_rows: list[dict], target: str = "model") -> dict[str, str]:
    rules = tuple(r for r in DEFAULT_RULES if r.target == target)
    return {a.alert_type: a.severity for a in alerts_for("c", component_rows, rules)}


@pytest.mark.parametrize(("column", "alert_type", "value", "expected"), [
    ("drift_score", "model_drift", 0.2, None), ("drift_score", "model_drift", 0.2001, "warning"),
    ("drift_score", "model_drift", 0.3, "warning"), ("drift_score", "model_drift", 0.3001, "critical"),
    ("drift_score", "model_drift", 0.1999, None),
    ("f1_score", "accuracy_drop", 0.88, None), ("f1_score", "accuracy_drop", 0.8799, "critical"),
    ("f1_score", "accuracy_drop", 0.8801, None),
    ("latency_p95_ms", "latency", 500, None), ("latency_p95_ms", "latency", 500.1, "warning"),
    ("latency_p95_ms", "latency", 499.9, None),
    ("latency_p99_ms", "latency", 1000, None), ("latency_p99_ms", "latency", 1000.1, "critical"),
    ("latency_p99_ms", "latency", 999.9, None),
    ("anomaly_rate", "anomaly_spike", 0.10, None), ("anomaly_rate", "anomaly_spike", 0.1001, "warning"),
    ("anomaly_rate", "anomaly_spike", 0.20, "warning"), ("anomaly_rate", "anomaly_spike", 0.2001, "critical"),
    ("anomaly_rate", "anomaly_spike", 0.0999, None),
])
def test_model_thresholds(column: str, alert_type: str, value: float, expected: str | None) -> None:
    assert fired(rows(HEALTHY_MODEL, **{column: value})).get(alert_type) == expected


@pytest.mark.parametrize(("values", "expected"), [
    ({"null_rate": 0.05}, None), ({"null_rate": 0.0501}, "warning"), ({"null_rate": 0.0499}, None),
    ({"null_rate": 0.10}, "warning"), ({"null_rate": 0.1001}, "critical"),
    ({"status": "warning"}, "warning"), ({"status": "critical"}, "critical"), ({"status": "healthy"}, None),
])
def test_data_quality_thresholds(values: dict, expected: str | None) -> None:
    assert fired(rows(HEALTHY_PIPELINE, **values), "pipeline").get("data_quality") == expected


def test_one_bad_latest_point_does_not_fire_two_do() -> None:
    one = rows(HEALTHY_MODEL)
    one[0] = {**one[0], "drift_score": 0.45}
    assert fired(one) == {}
    two = rows(HEALTHY_MODEL)
    two[0], two[1] = {**two[0], "drift_score": 0.45}, {**two[1], "drift_score": 0.45}
    assert fired(two) == {"model_drift": "critical"}
    # critical needs both points critical; one critical + one warning is a warning
    mixed = rows(HEALTHY_MODEL)
    mixed[0], mixed[1] = {**mixed[0], "drift_score": 0.45}, {**mixed[1], "drift_score": 0.25}
    assert fired(mixed) == {"model_drift": "warning"}


def test_too_few_measurements_never_fire() -> None:
    assert fired(rows(HEALTHY_MODEL, count=1, drift_score=0.9)) == {}


def test_rules_of_one_type_merge_into_one_alert() -> None:
    [alert] = alerts_for("classifier_v2", rows(HEALTHY_MODEL, latency_p95_ms=1400.0, latency_p99_ms=3000.0),
                         DEFAULT_RULES)
    assert (alert.fingerprint, alert.severity) == ("latency:classifier_v2", "critical")
    assert alert.metrics["latency_p95_ms_threshold"] == 500 and alert.metrics["latency_p99_ms_threshold"] == 1000


def test_breach_start_is_the_oldest_consecutive_breach() -> None:
    component_rows = rows(HEALTHY_MODEL, count=6)
    for i in range(3):
        component_rows[i] = {**component_rows[i], "drift_score": 0.4}
    [alert] = alerts_for("c", component_rows, DEFAULT_RULES)
    assert alert.started_at == NOW - timedelta(minutes=20)


def test_stale_data_is_a_data_quality_warning() -> None:
    latest = {"timestamp": (NOW - timedelta(hours=3, minutes=1)).replace(tzinfo=None)}
    alert = stale_alert("lstm_v1", latest, NOW, RuleSet())
    assert (alert.fingerprint, alert.severity) == ("data_quality:lstm_v1", "warning")
    assert "no fresh metrics for 3.0 h" in alert.message
    assert stale_alert("lstm_v1", {"timestamp": (NOW - timedelta(hours=2)).replace(tzinfo=None)}, NOW,
                       RuleSet()) is None


def test_rules_file_overrides_globally_and_per_component(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("defaults:\n  model_drift:\n    critical: 0.4\n    for: 3\n"
                    "overrides:\n  lstm_v1:\n    accuracy_drop:\n      critical: 0.85\n")
    rules = load_rules(path, timedelta(hours=3))
    drift = {r.name: r for r in rules.for_component("classifier_v2", "model")}["model_drift"]
    assert (drift.critical, drift.warning, drift.for_count) == (0.4, 0.2, 3)
    lstm = {r.name: r for r in rules.for_component("lstm_v1", "model")}
    assert lstm["accuracy_drop"].critical == 0.85 and lstm["model_drift"].critical == 0.4
    assert rules.deepest_for == 3


@pytest.mark.parametrize(("text", "message"), [
    ("defaults:\n  drift:\n    critical: 0.4\n", "line 2: unknown rule 'drift'"),
    ("defaults:\n  model_drift:\n    column: f1\n", "line 3: model_drift.column is not tunable"),
    ("defaults:\n  model_drift:\n    critical: high\n", "line 3: model_drift.critical must be a number"),
    ("defaults:\n  model_drift:\n    for: 0\n", "line 3: model_drift.for must be a whole number"),
    ("alerts:\n  x: 1\n", "line 1: unknown section 'alerts'"),
    ("defaults: [1, 2]\n", "line 1: a rules block must be a mapping"),
    ("defaults:\n  model_drift: {critical: 0.4\n", "not valid YAML"),
    # warning past critical: the order an "above" rule fires in, and the reverse for "below"
    ("overrides:\n  lstm_v1:\n    model_drift: {warning: 0.5, critical: 0.3}\n",
     "line 3: overrides.lstm_v1.model_drift: warning 0.5 is above critical 0.3; drift_score alerts above its "
     "limits, so warning must be below critical"),
    ("defaults:\n  model_drift:\n    critical: 0.15\n",  # the default warning (0.2) is now past it
     "line 2: defaults.model_drift: warning 0.2 is above critical 0.15"),
    ("overrides:\n  lstm_v1:\n    accuracy_drop: {warning: 0.80, critical: 0.88}\n",
     "line 3: overrides.lstm_v1.accuracy_drop: warning 0.8 is below critical 0.88; f1_score alerts below its "
     "limits, so warning must be above critical"),
])
def test_a_bad_rules_file_names_the_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(RulesFileError) as raised:
        load_rules(path, timedelta(hours=3))
    assert str(raised.value).startswith(str(path)) and message in str(raised.value)


def test_overrides_for_components_never_measured_are_named_with_their_line(tmp_path: Path) -> None:
    from bot.rules import unknown_components

    path = tmp_path / "rules.yaml"
    path.write_text("overrides:\n  lstm_v1:\n    accuracy_drop: {critical: 0.9}\n"
                    "  classifer_v2:\n    model_drift: {critical: 0.4}\n")
    rules = load_rules(path, timedelta(hours=3))
    assert unknown_components(rules, {"lstm_v1", "classifier_v2"}) == [
        f"{path}:line 4: overrides.classifer_v2: the warehouse has never measured a model or pipeline named "
        "'classifer_v2'; check the name"]
