"""The warehouse schema of the specification, verbatim, created idempotently."""

from __future__ import annotations

from bot.warehouse.client import Warehouse

TABLES = {
    "MODEL_METRICS": """
CREATE TABLE IF NOT EXISTS MODEL_METRICS (
    id INTEGER AUTOINCREMENT,
    timestamp TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    model_name VARCHAR(100),
    model_version VARCHAR(50),
    f1_score FLOAT, precision_score FLOAT, recall_score FLOAT, auc_roc FLOAT,
    drift_score FLOAT,
    latency_p50_ms FLOAT, latency_p95_ms FLOAT, latency_p99_ms FLOAT,
    prediction_count INTEGER,
    anomaly_rate FLOAT,
    PRIMARY KEY (id))""",
    "DATA_QUALITY": """
CREATE TABLE IF NOT EXISTS DATA_QUALITY (
    id INTEGER AUTOINCREMENT,
    timestamp TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    pipeline_name VARCHAR(100),
    records_processed INTEGER, records_valid INTEGER, records_invalid INTEGER,
    null_rate FLOAT, schema_violations INTEGER, out_of_range_count INTEGER,
    status VARCHAR(20),
    PRIMARY KEY (id))""",
    "FEATURE_DRIFT": """
CREATE TABLE IF NOT EXISTS FEATURE_DRIFT (
    id INTEGER AUTOINCREMENT,
    timestamp TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    model_name VARCHAR(100),
    feature_name VARCHAR(50),
    psi_score FLOAT, ks_statistic FLOAT, mean_shift FLOAT, std_shift FLOAT,
    PRIMARY KEY (id))""",
    "INCIDENTS": """
CREATE TABLE IF NOT EXISTS INCIDENTS (
    id INTEGER AUTOINCREMENT,
    incident_id VARCHAR(50),
    timestamp TIMESTAMP_NTZ DEFAULT CURRENT_TIMESTAMP(),
    alert_type VARCHAR(50), severity VARCHAR(20), affected_component VARCHAR(100),
    root_cause TEXT, resolution TEXT, duration_minutes INTEGER,
    status VARCHAR(20),
    PRIMARY KEY (id))""",
}

# Metric columns a caller may name (trend queries, rules). Identifiers cannot be bound as
# parameters, so anything interpolated into SQL must come from these sets.
MODEL_METRIC_COLUMNS = frozenset({
    "f1_score", "precision_score", "recall_score", "auc_roc", "drift_score", "latency_p50_ms",
    "latency_p95_ms", "latency_p99_ms", "prediction_count", "anomaly_rate",
})
DATA_QUALITY_COLUMNS = frozenset({
    "records_processed", "records_valid", "records_invalid", "null_rate", "schema_violations",
    "out_of_range_count",
})
FEATURE_NAMES = tuple([f"V{i}" for i in range(1, 29)] + ["Time", "Amount"])


def ensure_schema(warehouse: Warehouse) -> None:
    for ddl in TABLES.values():
        warehouse.execute(ddl, idempotent=True)
