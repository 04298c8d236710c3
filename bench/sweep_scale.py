"""Sweep time and warehouse query count by number of models, and by length of history.

Run: .venv/bin/python bench/sweep_scale.py [--runs 3] [--models 10 100 1000] [--days 7 90 365]
     .venv/bin/python bench/sweep_scale.py --smoke   (seconds; CI runs it so the bench cannot rot)

Models: each size gets a fresh embedded warehouse bulk-seeded with one statement per table
(GENERATOR): 7 days hourly per model, 30 features per measurement, every tenth model drifting.
The monitor's sweep (two QUALIFY queries) is timed against a per-model implementation of SPEC §5's
query_model_metrics / query_data_quality tools evaluated with the same rules; both must find the
same alerts. Goal: a constant query count, and at 1,000 models the sweep ≥ 10× faster.

History: 100 models with 7, 90 and 365 days of hourly measurements, inserted in time order as a
warehouse receives them. The sweep reads only the last SWEEP_LOOKBACK (24 h), so its time must stay
flat: goal, the 365-day / 7-day ratio within noise (≤ 1.5).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import naive_utc
from bot.config import load_settings
from bot.monitor.sweep import MIN_WINDOW, alerts_for, sweep
from bot.rules import RuleSet
from bot.warehouse import Warehouse, open_warehouse
from bot.warehouse.schema import ensure_schema

HOURS = 168
HISTORY_MODELS = 100
# in time order, every model measured each hour: how rows arrive in a real warehouse
HISTORY_SQL = """
INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, precision_score, recall_score, auc_roc,
    drift_score, latency_p50_ms, latency_p95_ms, latency_p99_ms, prediction_count, anomaly_rate)
SELECT DATEADD(hour, FLOOR(SEQ4() / {models}) - {hours} + 1, %(now)s::TIMESTAMP_NTZ),
       'model_' || LPAD(MOD(SEQ4(), {models})::VARCHAR, 4, '0'), 'v1.0.0',
       0.91, 0.93, 0.89, 0.97, 0.1, 45, 120, 200, 12000, 0.02
FROM TABLE(GENERATOR(ROWCOUNT => {rows}))"""
MODELS_SQL = """
INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, precision_score, recall_score, auc_roc,
    drift_score, latency_p50_ms, latency_p95_ms, latency_p99_ms, prediction_count, anomaly_rate)
SELECT DATEADD(hour, -MOD(SEQ4(), {hours}), %(now)s::TIMESTAMP_NTZ),
       'model_' || LPAD(FLOOR(SEQ4() / {hours})::VARCHAR, 4, '0'), 'v1.0.0',
       0.91 + UNIFORM(-0.005::FLOAT, 0.005::FLOAT, RANDOM()), 0.93, 0.89, 0.97,
       CASE WHEN MOD(FLOOR(SEQ4() / {hours}), 10) = 0 AND MOD(SEQ4(), {hours}) < 2 THEN 0.45
            ELSE 0.1 + UNIFORM(-0.01::FLOAT, 0.01::FLOAT, RANDOM()) END,
       45, 120, 200, 12000, 0.02
FROM TABLE(GENERATOR(ROWCOUNT => {rows}))"""
FEATURES_SQL = """
INSERT INTO FEATURE_DRIFT (timestamp, model_name, feature_name, psi_score, ks_statistic, mean_shift, std_shift)
SELECT DATEADD(hour, -MOD(FLOOR(SEQ4() / 30), {hours}), %(now)s::TIMESTAMP_NTZ),
       'model_' || LPAD(FLOOR(SEQ4() / (30 * {hours}))::VARCHAR, 4, '0'),
       CASE MOD(SEQ4(), 30) WHEN 28 THEN 'Time' WHEN 29 THEN 'Amount' ELSE 'V' || (MOD(SEQ4(), 30) + 1)::VARCHAR END,
       UNIFORM(0.01::FLOAT, 0.08::FLOAT, RANDOM()), 0.05, 0.02, 0.01
FROM TABLE(GENERATOR(ROWCOUNT => {rows}))"""
PIPELINES_SQL = """
INSERT INTO DATA_QUALITY (timestamp, pipeline_name, records_processed, records_valid, records_invalid, null_rate,
    schema_violations, out_of_range_count, status)
SELECT DATEADD(hour, -MOD(SEQ4(), {hours}), %(now)s::TIMESTAMP_NTZ),
       CASE WHEN SEQ4() < {hours} THEN 'transactions_ingest' ELSE 'feature_pipeline' END,
       50000, 49500, 500, 0.01, 0, 10, 'healthy'
FROM TABLE(GENERATOR(ROWCOUNT => {rows}))"""


def bulk_seed(warehouse: Warehouse, models: int, now: datetime) -> None:
    ensure_schema(warehouse)
    params = {"now": naive_utc(now)}
    warehouse.execute(MODELS_SQL.format(hours=HOURS, rows=models * HOURS), params)
    warehouse.execute(FEATURES_SQL.format(hours=HOURS, rows=models * HOURS * 30), params)
    warehouse.execute(PIPELINES_SQL.format(hours=HOURS, rows=2 * HOURS), params)


def per_model_sweep(warehouse: Warehouse, rules: RuleSet) -> list:
    """The original design: list the components, then one query per model and per pipeline."""
    alerts = []
    for target, table, column in (("model", "MODEL_METRICS", "model_name"),
                                  ("pipeline", "DATA_QUALITY", "pipeline_name")):
        names = [r["name"] for r in warehouse.query(f"SELECT DISTINCT {column} AS name FROM {table}")]
        for name in names:
            rows = warehouse.query(f"SELECT * FROM {table} WHERE {column} = %(name)s "
                                   f"ORDER BY timestamp DESC LIMIT %(n)s", {"name": name, "n": MIN_WINDOW})
            alerts += alerts_for(name, rows, rules.for_component(name, target))
    return alerts


def timed(fn, runs: int) -> tuple[float, int, object]:  # type: ignore[no-untyped-def]
    times, result, queries = [], None, 0
    for _ in range(runs):
        start = time.perf_counter()
        result, queries = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), queries, result


def by_history(days: list[int], runs: int, rules: RuleSet, now: datetime) -> None:
    print(f"\n{'days':>7} {'rows':>12} {'seed s':>7} | {'sweep s':>8} {'queries':>7}   ({HISTORY_MODELS} models)")
    medians = {}
    for length in days:
        with tempfile.TemporaryDirectory() as data_dir, \
                open_warehouse(load_settings(agentops_data_dir=data_dir)) as warehouse:
            ensure_schema(warehouse)
            rows = HISTORY_MODELS * length * 24
            start = time.perf_counter()
            warehouse.execute(HISTORY_SQL.format(models=HISTORY_MODELS, hours=length * 24, rows=rows),
                              {"now": naive_utc(now)})
            warehouse.execute(PIPELINES_SQL.format(hours=HOURS, rows=2 * HOURS), {"now": naive_utc(now)})
            seeded_in = time.perf_counter() - start

            def ours() -> tuple[list, int]:
                before = warehouse.statements
                result = sweep(warehouse, rules, now)
                assert len(result.components) == HISTORY_MODELS + 2, "every model and pipeline is swept"
                return result.alerts, warehouse.statements - before

            medians[length], queries, _ = timed(ours, runs)
            print(f"{length:>7} {rows:>12,} {seeded_in:>7.2f} | {medians[length]:>8.3f} {queries:>7}")
    shortest, longest = min(days), max(days)
    print(f"sweep time {longest} d / {shortest} d: {medians[longest] / medians[shortest]:.2f} "
          f"(medians of {runs} runs; goal: flat, ≤ 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--models", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--days", type=int, nargs="+", default=[7, 90, 365])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run: checks the bench still works")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.models, args.days = 1, [10], [2, 7]
    rules, now = RuleSet(), datetime.now(UTC)
    print(f"{'models':>7} {'rows seeded':>12} {'seed s':>7} | {'sweep s':>8} {'queries':>7} | "
          f"{'per-model s':>11} {'queries':>7} | {'speed-up':>8}")
    for models in args.models:
        with tempfile.TemporaryDirectory() as data_dir, \
                open_warehouse(load_settings(agentops_data_dir=data_dir)) as warehouse:
            start = time.perf_counter()
            bulk_seed(warehouse, models, now)
            seeded_in = time.perf_counter() - start

            def ours() -> tuple[list, int]:
                before = warehouse.statements
                result = sweep(warehouse, rules, now)
                return result.alerts, warehouse.statements - before

            def theirs() -> tuple[list, int]:
                before = warehouse.statements
                found = per_model_sweep(warehouse, rules)
                return found, warehouse.statements - before

            sweep_s, sweep_q, sweep_alerts = timed(ours, args.runs)
            per_s, per_q, per_alerts = timed(theirs, args.runs)
            same = sorted(a.fingerprint for a in sweep_alerts) == sorted(a.fingerprint for a in per_alerts)
            assert same and len(sweep_alerts) == (models + 9) // 10, "both must find every drifting model"
            rows = models * HOURS * 31 + 2 * HOURS
            print(f"{models:>7} {rows:>12,} {seeded_in:>7.2f} | {sweep_s:>8.3f} {sweep_q:>7} | "
                  f"{per_s:>11.3f} {per_q:>7} | {per_s / sweep_s:>7.1f}×")
    print(f"(medians of {args.runs} runs; goal: constant query count, ≥ 10× at 1,000 models)")
    by_history(args.days, args.runs, rules, now)


if __name__ == "__main__":
    main()
