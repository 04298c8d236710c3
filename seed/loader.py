"""Writes a scenario into the warehouse: one parameterized bulk statement per table chunk.

Rows travel as one JSON parameter and are unpacked server-side with FLATTEN, which is valid
Snowflake SQL and avoids executemany's one-statement-per-row cost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.warehouse import Warehouse
from bot.warehouse.schema import ensure_schema
from seed.scenarios import MODELS, PIPELINES, SCENARIOS, build

CHUNK = 5_000

# (table, component column, [(column, Snowflake type)])
_TABLES = {
    "model_metrics": ("MODEL_METRICS", "model_name", [
        ("timestamp", "TIMESTAMP_NTZ"), ("model_name", "VARCHAR"), ("model_version", "VARCHAR"),
        ("f1_score", "FLOAT"), ("precision_score", "FLOAT"), ("recall_score", "FLOAT"), ("auc_roc", "FLOAT"),
        ("drift_score", "FLOAT"), ("latency_p50_ms", "FLOAT"), ("latency_p95_ms", "FLOAT"),
        ("latency_p99_ms", "FLOAT"), ("prediction_count", "INTEGER"), ("anomaly_rate", "FLOAT")]),
    "data_quality": ("DATA_QUALITY", "pipeline_name", [
        ("timestamp", "TIMESTAMP_NTZ"), ("pipeline_name", "VARCHAR"), ("records_processed", "INTEGER"),
        ("records_valid", "INTEGER"), ("records_invalid", "INTEGER"), ("null_rate", "FLOAT"),
        ("schema_violations", "INTEGER"), ("out_of_range_count", "INTEGER"), ("status", "VARCHAR")]),
    "feature_drift": ("FEATURE_DRIFT", "model_name", [
        ("timestamp", "TIMESTAMP_NTZ"), ("model_name", "VARCHAR"), ("feature_name", "VARCHAR"),
        ("psi_score", "FLOAT"), ("ks_statistic", "FLOAT"), ("mean_shift", "FLOAT"), ("std_shift", "FLOAT")]),
}


class SeedError(Exception):
    pass


@dataclass
class SeedSummary:
    scenario: str
    rows: dict[str, int]
    latest: list[dict]  # latest metrics per model, as read back from the warehouse
    top_drift: list[dict]  # classifier_v2's highest-PSI features at the latest measurement

    def lines(self) -> list[str]:
        out = [f"seeded scenario '{self.scenario}': {SCENARIOS[self.scenario].story}"]
        out += [f"  {table}: {count} rows" for table, count in self.rows.items()]
        for row in self.latest:
            out.append(f"  {row['model_name']} {row['model_version']}: F1 {row['f1_score']:.3f}, "
                       f"drift {row['drift_score']:.2f}, p99 {row['latency_p99_ms']:.0f} ms, "
                       f"anomaly rate {row['anomaly_rate']:.3f}")
        top = ", ".join(f"{r['feature_name']} {r['psi_score']:.2f}" for r in self.top_drift)
        out.append(f"  classifier_v2 top feature PSI: {top}")
        return out


def bulk_insert(warehouse: Warehouse, table_key: str, rows: list[dict]) -> int:
    table, _, columns = _TABLES[table_key]
    names = ", ".join(name for name, _ in columns)
    values = ", ".join(f"value:{name}::{kind}" for name, kind in columns)
    sql = f"INSERT INTO {table} ({names}) SELECT {values} FROM TABLE(FLATTEN(INPUT => PARSE_JSON(%(rows)s)))"
    inserted = 0
    for start in range(0, len(rows), CHUNK):
        inserted += warehouse.execute(sql, {"rows": json.dumps(rows[start:start + CHUNK])})
    return inserted


def seed(warehouse: Warehouse, scenario: str, now: datetime, *, reset: bool) -> SeedSummary:
    """Seed `scenario` relative to `now` (naive UTC). Without `reset`, refuses to add to seeded data."""
    if scenario not in SCENARIOS:
        raise SeedError(f"unknown scenario {scenario!r}; choose one of: {', '.join(SCENARIOS)}")
    ensure_schema(warehouse)
    components = {"model_metrics": list(MODELS), "data_quality": list(PIPELINES), "feature_drift": list(MODELS)}
    if not reset:
        existing = warehouse.query("SELECT COUNT(*) AS n FROM MODEL_METRICS WHERE model_name IN (%(m)s)",
                                   {"m": list(MODELS)})[0]["n"]
        if existing:
            raise SeedError(f"the warehouse already holds {existing} demo metric rows; "
                            f"add --reset to replace them with scenario '{scenario}'")
    rows = build(scenario, now)
    counts = {}
    for key, table_rows in (("model_metrics", rows.model_metrics), ("data_quality", rows.data_quality),
                            ("feature_drift", rows.feature_drift)):
        table, component_column, _ = _TABLES[key]
        if reset:
            # only the demo's own components: a reset never touches anyone else's rows
            warehouse.execute(f"DELETE FROM {table} WHERE {component_column} IN (%(c)s)",
                              {"c": components[key]}, idempotent=True)
        counts[table] = bulk_insert(warehouse, key, table_rows)
    return summarize(warehouse, scenario, counts)


def summarize(warehouse: Warehouse, scenario: str, counts: dict[str, int]) -> SeedSummary:
    latest = warehouse.query(
        "SELECT model_name, model_version, f1_score, drift_score, latency_p99_ms, anomaly_rate "
        "FROM MODEL_METRICS QUALIFY ROW_NUMBER() OVER (PARTITION BY model_name ORDER BY timestamp DESC) = 1 "
        "ORDER BY model_name")
    top = warehouse.query(
        "SELECT feature_name, psi_score FROM FEATURE_DRIFT WHERE model_name = %(m)s "
        "AND timestamp = (SELECT MAX(timestamp) FROM FEATURE_DRIFT WHERE model_name = %(m)s) "
        "ORDER BY psi_score DESC LIMIT 3", {"m": "classifier_v2"})
    return SeedSummary(scenario, counts, latest, top)
