"""Seed scenarios, read back through the connector: the spec's demo state and one scenario per runbook."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from bot.clock import naive_utc
from bot.warehouse import Warehouse
from seed.loader import SeedError, seed
from seed.scenarios import MODELS, SCENARIOS

LATEST_MODELS = ("SELECT * FROM MODEL_METRICS "
                 "QUALIFY ROW_NUMBER() OVER (PARTITION BY model_name ORDER BY timestamp DESC) = 1")
LATEST_PIPELINES = ("SELECT * FROM DATA_QUALITY "
                    "QUALIFY ROW_NUMBER() OVER (PARTITION BY pipeline_name ORDER BY timestamp DESC) = 1")


# seed() fills a fresh warehouse once per scenario; each test reads its own copy (tests/helpers/warehouses.py)
Seeded = Callable[..., Warehouse]


def latest(warehouse: Warehouse, sql: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in warehouse.query(sql)}


def top_features(warehouse: Warehouse, model: str) -> list[tuple[str, float]]:
    rows = warehouse.query(
        "SELECT feature_name, psi_score FROM FEATURE_DRIFT WHERE model_name = %(m)s AND timestamp = "
        "(SELECT MAX(timestamp) FROM FEATURE_DRIFT WHERE model_name = %(m)s) ORDER BY psi_score DESC",
        {"m": model})
    return [(r["feature_name"], r["psi_score"]) for r in rows]


def assert_healthy_model(row: dict) -> None:
    assert row["f1_score"] > 0.88 and row["drift_score"] < 0.2
    assert row["latency_p99_ms"] < 1000 and row["anomaly_rate"] < 0.10


def test_drift_is_the_specs_demo_state(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("drift")
    assert warehouse.query("SELECT COUNT(*) AS n FROM MODEL_METRICS")[0]["n"] > 100
    models = latest(warehouse, LATEST_MODELS, "model_name")
    assert models["classifier_v2"]["drift_score"] == pytest.approx(0.45, abs=0.02)
    assert models["classifier_v2"]["f1_score"] == pytest.approx(0.82, abs=0.02)
    assert models["classifier_v2"]["timestamp"] == naive_utc(now)
    assert_healthy_model(models["lstm_v1"])
    assert_healthy_model(models["anomaly_v1"])
    features = top_features(warehouse, "classifier_v2")
    assert [name for name, _ in features[:2]] == ["V14", "V17"]
    assert features[0][1] == pytest.approx(0.8, abs=0.02) and features[1][1] == pytest.approx(0.6, abs=0.02)
    assert all(psi < 0.1 for _, psi in features[2:])
    assert len(features) == 30
    pipelines = latest(warehouse, LATEST_PIPELINES, "pipeline_name")
    assert {p["status"] for p in pipelines.values()} == {"healthy"}  # not bad data: a distribution shift


def test_drift_builds_up_over_the_last_two_hours(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("drift")
    rows = warehouse.query("SELECT timestamp, drift_score, f1_score FROM MODEL_METRICS "
                           "WHERE model_name = 'classifier_v2' ORDER BY timestamp")
    before = [r for r in rows if r["timestamp"] <= naive_utc(now - timedelta(hours=2))]
    after = [r for r in rows if r["timestamp"] > naive_utc(now - timedelta(hours=2))]
    assert rows[0]["timestamp"] == naive_utc(now - timedelta(days=7))
    assert all(r["drift_score"] < 0.2 and r["f1_score"] > 0.88 for r in before)
    assert [r["drift_score"] for r in after] == sorted(r["drift_score"] for r in after)
    assert after[-2]["drift_score"] > 0.3  # the latest two measurements both breach


def test_healthy_baseline(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("healthy")
    for row in latest(warehouse, LATEST_MODELS, "model_name").values():
        assert_healthy_model(row)
    classifier = latest(warehouse, LATEST_MODELS, "model_name")["classifier_v2"]
    assert classifier["f1_score"] == pytest.approx(0.91, abs=0.015)
    assert classifier["drift_score"] == pytest.approx(0.10, abs=0.015)
    assert classifier["latency_p99_ms"] == pytest.approx(200, rel=0.15)
    assert warehouse.query("SELECT MAX(psi_score) AS m FROM FEATURE_DRIFT")[0]["m"] < 0.1
    ingest = latest(warehouse, LATEST_PIPELINES, "pipeline_name")["transactions_ingest"]
    assert ingest["null_rate"] == pytest.approx(0.01, abs=0.005) and ingest["status"] == "healthy"


def test_null_spike(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("null_spike")
    ingest = latest(warehouse, LATEST_PIPELINES, "pipeline_name")["transactions_ingest"]
    assert ingest["null_rate"] == pytest.approx(0.15, abs=0.01) and ingest["status"] == "critical"
    assert ingest["records_invalid"] > 0.1 * ingest["records_processed"]
    assert latest(warehouse, LATEST_MODELS, "model_name")["classifier_v2"]["f1_score"] > 0.88


def test_latency_spike_follows_a_new_model_version(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("latency_spike")
    classifier = latest(warehouse, LATEST_MODELS, "model_name")["classifier_v2"]
    assert classifier["model_version"] == "v2.5.0" and classifier["latency_p99_ms"] > 2500
    assert classifier["f1_score"] > 0.88
    versions = warehouse.query("SELECT DISTINCT model_version FROM MODEL_METRICS WHERE model_name = 'classifier_v2'")
    assert {v["model_version"] for v in versions} == {"v2.4.0", "v2.5.0"}


def test_latency_saturation_has_no_new_model_version(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("latency_saturation")
    classifier = latest(warehouse, LATEST_MODELS, "model_name")["classifier_v2"]
    assert classifier["latency_p95_ms"] == pytest.approx(630, rel=0.1)
    assert 900 < classifier["latency_p99_ms"] < 1500 and classifier["f1_score"] > 0.88
    versions = warehouse.query("SELECT DISTINCT model_version FROM MODEL_METRICS WHERE model_name = 'classifier_v2'")
    assert {v["model_version"] for v in versions} == {"v2.4.0"}


def test_anomaly_spike_with_stable_accuracy(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("anomaly_spike")
    anomaly = latest(warehouse, LATEST_MODELS, "model_name")["anomaly_v1"]
    assert anomaly["anomaly_rate"] == pytest.approx(0.25, abs=0.02)
    assert anomaly["f1_score"] > 0.88 and anomaly["drift_score"] < 0.2


def test_schema_change(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("schema_change")
    pipeline = latest(warehouse, LATEST_PIPELINES, "pipeline_name")["feature_pipeline"]
    assert pipeline["schema_violations"] > 100 and pipeline["status"] == "critical"
    assert pipeline["null_rate"] < 0.05


def test_bad_deploy_drops_accuracy_without_drift(seeded_warehouse: Seeded, now: datetime) -> None:
    warehouse = seeded_warehouse("bad_deploy")
    classifier = latest(warehouse, LATEST_MODELS, "model_name")["classifier_v2"]
    assert classifier["model_version"] == "v2.5.0"
    assert classifier["f1_score"] == pytest.approx(0.78, abs=0.02) and classifier["drift_score"] < 0.2


def test_every_scenario_is_tested_here() -> None:
    tested = {"healthy", "drift", "null_spike", "latency_spike", "latency_saturation", "anomaly_spike", "schema_change",
              "bad_deploy"}
    assert set(SCENARIOS) == tested


def test_reset_restores_the_demo_state_and_spares_other_rows(warehouse: Warehouse, now: datetime) -> None:
    first = seed(warehouse, "drift", naive_utc(now), reset=False)
    warehouse.execute("INSERT INTO MODEL_METRICS (model_name, f1_score) VALUES ('fraud_gbm_v7', 0.93)")
    with pytest.raises(SeedError, match="add --reset"):
        seed(warehouse, "drift", naive_utc(now), reset=False)
    later = now + timedelta(hours=5)
    again = seed(warehouse, "drift", naive_utc(later), reset=True)
    assert again.rows == first.rows  # replaced, not appended
    counts = warehouse.query("SELECT model_name, COUNT(*) AS n FROM MODEL_METRICS GROUP BY model_name")
    assert {r["model_name"]: r["n"] for r in counts} == {
        **{m: first.rows["MODEL_METRICS"] // len(MODELS) for m in MODELS}, "fraud_gbm_v7": 1}
    newest = warehouse.query("SELECT MAX(timestamp) AS t FROM MODEL_METRICS WHERE model_name = 'classifier_v2'")
    assert newest[0]["t"] == naive_utc(later)


def test_unknown_scenario(warehouse: Warehouse, now: datetime) -> None:
    with pytest.raises(SeedError, match="choose one of: healthy, drift"):
        seed(warehouse, "meteor", naive_utc(now), reset=False)
