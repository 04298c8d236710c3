"""The trend chart posted with a diagnosis: 24 h of the alerting metric, its threshold, the breach marked.

The threshold is the component's own rule (its overrides, else the defaults): the line a reader sees
is the one the monitor alerted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import naive_utc
from bot.png import render
from bot.rules import RuleSet
from bot.warehouse import Warehouse
from bot.warehouse.schema import DATA_QUALITY_COLUMNS, MODEL_METRIC_COLUMNS

# root-cause category → (the kind of component the metric belongs to, the metric drawn)
CHARTS = {
    "distribution_shift": ("model", "drift_score"),
    "bad_deployment": ("model", "f1_score"),
    "legitimate_traffic_change": ("model", "anomaly_rate"),
    "resource_saturation": ("model", "latency_p99_ms"),
    "data_quality_issue": ("pipeline", "null_rate"),
    "schema_change": ("pipeline", "schema_violations"),
}
# no rule judges the count of schema violations; this line only gives the reader a scale
SCHEMA_VIOLATIONS_LINE = 100.0


@dataclass(frozen=True)
class ChartData:
    """What a chart draws, testable without reading pixels."""

    component: str
    metric: str
    threshold: float | None  # the rule's critical limit, else its warning limit; None: no line
    above: bool  # breached when above the threshold (else below)
    points: list[tuple[datetime, float]]

    @property
    def title(self) -> str:
        return f"{self.component} · {self.metric}, last 24 h (UTC)"

    @property
    def breached(self) -> list[tuple[datetime, float]]:
        if self.threshold is None:
            return []
        return [(t, v) for t, v in self.points if (v > self.threshold if self.above else v < self.threshold)]


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


def threshold(rules: RuleSet, component: str, kind: str, metric: str) -> tuple[float | None, bool]:
    """(limit, breached when above?) of the component's rule on `metric`."""
    rule = next((r for r in rules.for_component(component, kind) if r.column == metric), None)
    if rule is None or rule.direction == "equals":
        return (SCHEMA_VIOLATIONS_LINE if metric == "schema_violations" else None), True
    limit = rule.critical if rule.critical is not None else rule.warning
    return (None if limit is None else float(limit)), rule.direction == "above"


def chart_data(warehouse: Warehouse, rules: RuleSet, component: str, kind: str, category: str,
               now: datetime) -> ChartData | None:
    """The category's metric for a component of `kind`, or None when there is nothing to draw."""
    if category not in CHARTS or CHARTS[category][0] != kind:
        return None  # e.g. bad data: the metric belongs to the pipeline, not to the model investigated
    metric = CHARTS[category][1]
    points = series(warehouse, component, metric, naive_utc(now - timedelta(hours=24)))
    if len(points) < 2:
        return None
    limit, above = threshold(rules, component, kind, metric)
    return ChartData(component, metric, limit, above, points)


def draw(data: ChartData) -> bytes:
    """The PNG."""
    import matplotlib.dates as mdates  # imported once a chart is drawn (see bot/png.py)

    def chart(axes: Any) -> None:
        times, values = zip(*data.points, strict=True)
        axes.plot(times, values, color="#1d3557", linewidth=1.8, label=data.metric)
        if data.threshold is not None:
            axes.axhline(data.threshold, color="#e63946", linestyle="--", linewidth=1.2,
                         label=f"threshold {data.threshold:g}")
        if data.breached:
            breach_times, breach_values = zip(*data.breached, strict=True)
            axes.scatter(breach_times, breach_values, color="#e63946", s=18, zorder=3, label="breach")
            axes.axvline(mdates.date2num(breach_times[0]), color="#e63946", alpha=0.3, linewidth=6)
        axes.set_title(data.title, fontsize=11)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        axes.grid(alpha=0.3)
        axes.legend(loc="best", fontsize=8)

    return render((8, 3.2), chart)


def trend_chart(warehouse: Warehouse, rules: RuleSet, component: str, kind: str, category: str,
                now: datetime) -> tuple[bytes, str] | None:
    """(PNG bytes, title) for the category's metric, or None when there is nothing to draw."""
    data = chart_data(warehouse, rules, component, kind, category, now)
    return None if data is None else (draw(data), data.title)
