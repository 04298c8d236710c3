"""The trend chart posted with a diagnosis: 24 h of the alerting metric, its threshold, the breach marked."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from bot.clock import naive_utc
from bot.warehouse import Warehouse
from bot.warehouse.schema import DATA_QUALITY_COLUMNS, MODEL_METRIC_COLUMNS

# root-cause category → (metric, threshold, breached when above?)
CHARTS = {
    "distribution_shift": ("drift_score", 0.3, True),
    "bad_deployment": ("f1_score", 0.88, False),
    "legitimate_traffic_change": ("anomaly_rate", 0.20, True),
    "resource_saturation": ("latency_p99_ms", 1000.0, True),
    "data_quality_issue": ("null_rate", 0.10, True),
    "schema_change": ("schema_violations", 100.0, True),
}


def series(warehouse: Warehouse, component: str, metric: str, since: datetime) -> list[tuple[datetime, float]]:
    if metric in MODEL_METRIC_COLUMNS:
        table, key = "MODEL_METRICS", "model_name"
    elif metric in DATA_QUALITY_COLUMNS:
        table, key = "DATA_QUALITY", "pipeline_name"
    else:
        raise ValueError(f"unknown metric {metric!r}")
    # identifiers from the allow-lists above; values bound
    rows = warehouse.query(f"SELECT timestamp, {metric} AS value FROM {table} WHERE {key} = %(c)s "
                           f"AND timestamp >= %(since)s ORDER BY timestamp", {"c": component, "since": since})
    return [(r["timestamp"], float(r["value"])) for r in rows if r["value"] is not None]


def trend_chart(warehouse: Warehouse, component: str, category: str, now: datetime) -> tuple[bytes, str] | None:
    """(PNG bytes, title) for the category's metric, or None when there is nothing to draw."""
    if category not in CHARTS:
        return None
    metric, threshold, above = CHARTS[category]
    if category in ("data_quality_issue", "schema_change") and not component.endswith(("ingest", "pipeline")):
        return None  # the metric belongs to the pipeline, not to the model that was investigated
    points = series(warehouse, component, metric, naive_utc(now - timedelta(hours=24)))
    if len(points) < 2:
        return None
    # imported when a chart is drawn: matplotlib costs a running bot ~60 MB and a second to import
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on a server
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    times, values = zip(*points, strict=True)
    breached = [(t, v) for t, v in points if (v > threshold if above else v < threshold)]
    figure, axes = plt.subplots(figsize=(8, 3.2), dpi=100)
    try:
        axes.plot(times, values, color="#1d3557", linewidth=1.8, label=metric)
        axes.axhline(threshold, color="#e63946", linestyle="--", linewidth=1.2, label=f"threshold {threshold:g}")
        if breached:
            breach_times, breach_values = zip(*breached, strict=True)
            axes.scatter(breach_times, breach_values, color="#e63946", s=18, zorder=3, label="breach")
            axes.axvline(mdates.date2num(breach_times[0]), color="#e63946", alpha=0.3, linewidth=6)
        title = f"{component} · {metric}, last 24 h (UTC)"
        axes.set_title(title, fontsize=11)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        axes.grid(alpha=0.3)
        axes.legend(loc="best", fontsize=8)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return buffer.getvalue(), title
