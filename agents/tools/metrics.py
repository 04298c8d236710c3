"""Model metrics: the latest measurement with an assessment, and a metric's trend."""

from __future__ import annotations

import statistics
from datetime import timedelta

from agents.tools import ToolContext, ToolResult, investigation_tool
from bot.clock import naive_utc
from bot.rules import breaches, overall
from bot.warehouse.schema import DATA_QUALITY_COLUMNS, MODEL_METRIC_COLUMNS


@investigation_tool
def query_model_metrics(ctx: ToolContext, model_name: str, hours: int = 24) -> ToolResult:
    """Latest F1, drift, latency and anomaly rate of a model with a HEALTHY/WARNING/CRITICAL
    assessment, and its 7-day baseline for comparison.

    Args:
        model_name: the model, e.g. classifier_v2
        hours: how far back "latest" may reach, in hours
    """
    ctx.on_progress(f"querying model metrics of {model_name}")
    since = naive_utc(ctx.clock.now() - timedelta(hours=hours))
    rows = ctx.warehouse.query(
        "SELECT timestamp, model_version, f1_score, precision_score, recall_score, drift_score, latency_p95_ms, "
        "latency_p99_ms, anomaly_rate, prediction_count FROM MODEL_METRICS WHERE model_name = %(m)s "
        "AND timestamp >= %(since)s ORDER BY timestamp DESC LIMIT 1", {"m": model_name, "since": since})
    if not rows:
        return ToolResult("no_data", f"no measurements of {model_name} in the last {hours} h")
    baseline = ctx.warehouse.query(
        "SELECT AVG(f1_score) AS f1, AVG(drift_score) AS drift, AVG(latency_p99_ms) AS p99, "
        "AVG(anomaly_rate) AS anomaly FROM MODEL_METRICS WHERE model_name = %(m)s "
        "AND timestamp BETWEEN %(start)s AND %(end)s",
        {"m": model_name, "start": naive_utc(ctx.clock.now() - timedelta(days=7)),
         "end": naive_utc(ctx.clock.now() - timedelta(hours=6))})[0]
    latest = rows[0]
    assessment = overall(breaches(latest, ctx.rules.for_component(model_name, "model"))).upper()
    summary = (f"{model_name} {latest['model_version']} at {latest['timestamp']:%Y-%m-%d %H:%M} UTC: {assessment}. "
               f"F1 {latest['f1_score']:.3f} (7-day baseline {baseline['f1'] or 0:.3f}), "
               f"drift {latest['drift_score']:.2f} (baseline {baseline['drift'] or 0:.2f}), "
               f"p99 {latest['latency_p99_ms']:.0f} ms (baseline {baseline['p99'] or 0:.0f}), "
               f"anomaly rate {latest['anomaly_rate']:.3f} (baseline {baseline['anomaly'] or 0:.3f})")
    return ToolResult("ok", summary, {"latest": latest, "baseline": baseline, "assessment": assessment})


@investigation_tool
def query_metric_trend(ctx: ToolContext, component: str, metric: str, hours: int = 24) -> ToolResult:
    """A metric's hourly trend for a model (MODEL_METRICS) or pipeline (DATA_QUALITY), and when it
    started moving away from its baseline. Metric names come from a fixed list.

    Args:
        component: a model (classifier_v2) or a pipeline (transactions_ingest)
        metric: e.g. f1_score, drift_score, latency_p99_ms, anomaly_rate, null_rate
        hours: how many hours back
    """
    ctx.on_progress(f"reading the {metric} trend of {component}")
    if metric in MODEL_METRIC_COLUMNS:
        table, key = "MODEL_METRICS", "model_name"
    elif metric in DATA_QUALITY_COLUMNS:
        table, key = "DATA_QUALITY", "pipeline_name"
    else:
        return ToolResult("error", f"unknown metric {metric!r}; use one of "
                                   f"{', '.join(sorted(MODEL_METRIC_COLUMNS | DATA_QUALITY_COLUMNS))}")
    # `metric` and `table` come from the allow-lists above; values are bound parameters
    rows = ctx.warehouse.query(
        f"SELECT timestamp, {metric} AS value{', model_version' if table == 'MODEL_METRICS' else ''} "
        f"FROM {table} WHERE {key} = %(c)s AND timestamp >= %(since)s ORDER BY timestamp",
        {"c": component, "since": naive_utc(ctx.clock.now() - timedelta(hours=hours))})
    if len(rows) < 3:
        return ToolResult("no_data", f"not enough {metric} measurements for {component} in {hours} h")
    rows = [r for r in rows if r["value"] is not None]
    # the older half is the baseline; a departure is well outside its own noise (and ≥ 5 %)
    head = [r["value"] for r in rows[: max(3, len(rows) // 2)]]
    baseline = statistics.median(head)
    noise = max(abs(v - baseline) for v in head)
    threshold = max(3 * noise, 0.05 * abs(baseline), 1e-9)
    started = next((r for r in rows if abs(r["value"] - baseline) > threshold), None)
    versions = sorted({r["model_version"] for r in rows if r.get("model_version")})
    first, last = rows[0], rows[-1]
    summary = (f"{component} {metric} over {hours} h: {first['value']:.4g} → {last['value']:.4g} "
               f"(baseline {baseline:.4g}); "
               + (f"started moving at {started['timestamp']:%H:%M} UTC" if started else "no departure from baseline")
               + (f"; model versions seen: {', '.join(versions)}" if len(versions) > 1 else ""))
    return ToolResult("ok", summary, {"baseline": baseline, "latest": last["value"], "versions": versions,
                                      "started_at": started["timestamp"].isoformat() if started else None})
