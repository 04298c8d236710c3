"""The noise of each component a record read: the spread (standard deviation) of every numeric column
over its 7-day baseline — the same window the metrics tool averages — so metric jitter stays within
what the component does on an ordinary day. Read once, when the record is kept."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import naive_utc
from bot.replay.record import Call
from bot.warehouse import Warehouse, WarehouseError
from bot.warehouse.schema import DATA_QUALITY_COLUMNS, MODEL_METRIC_COLUMNS

log = logging.getLogger("agentops.replay")
BASELINE = (timedelta(days=7), timedelta(hours=6))  # from 7 days to 6 hours before the investigation
FEATURE_COLUMNS = ("psi_score", "ks_statistic", "mean_shift")


def components_read(calls: list[Call]) -> dict[str, str]:
    """component → the table it was read from (MODEL_METRICS, DATA_QUALITY, FEATURE_DRIFT)."""
    read: dict[str, str] = {}
    for call in calls:
        if call.source != "warehouse" or not call.params:
            continue
        for key, table in (("m", "MODEL_METRICS"), ("p", "DATA_QUALITY")):
            if isinstance(call.params.get(key), str):
                read.setdefault(call.params[key], table)
        if isinstance(call.params.get("c"), str):
            read.setdefault(call.params["c"], "DATA_QUALITY" if "FROM DATA_QUALITY" in call.op else "MODEL_METRICS")
    return read


def baseline_noise(warehouse: Warehouse, calls: list[Call], now: datetime) -> dict[str, dict[str, float]]:
    """component (a feature as model/feature) → column → standard deviation; {} when the warehouse fails
    (the record is kept all the same; metric jitter then says it has no noise to draw from)."""
    window = {"start": naive_utc(now - BASELINE[0]), "end": naive_utc(now - BASELINE[1])}
    noise: dict[str, dict[str, float]] = {}
    try:
        for component, table in sorted(components_read(calls).items()):
            if table == "MODEL_METRICS":
                noise[component] = _spread(warehouse, "MODEL_METRICS", "model_name", sorted(MODEL_METRIC_COLUMNS),
                                           component, window)
                noise.update(_feature_spread(warehouse, component, window))
            else:
                noise[component] = _spread(warehouse, "DATA_QUALITY", "pipeline_name", sorted(DATA_QUALITY_COLUMNS),
                                           component, window)
    except WarehouseError as error:
        log.warning("no baseline noise for the record: %s", error)
        return {}
    return noise


def _spread(warehouse: Warehouse, table: str, key: str, columns: list[str], component: str,
            window: dict[str, datetime]) -> dict[str, float]:
    # table, key and columns come from the schema's allow-lists; values are bound parameters
    spread = ", ".join(f"STDDEV({c}) AS {c}" for c in columns)
    [row] = warehouse.query(f"SELECT {spread} FROM {table} WHERE {key} = %(c)s "
                            "AND timestamp BETWEEN %(start)s AND %(end)s", {"c": component, **window})
    return {c: float(v) for c, v in row.items() if v is not None}


def _feature_spread(warehouse: Warehouse, model: str, window: dict[str, datetime]) -> dict[str, dict[str, float]]:
    spread = ", ".join(f"STDDEV({c}) AS {c}" for c in FEATURE_COLUMNS)
    rows = warehouse.query(f"SELECT feature_name, {spread} FROM FEATURE_DRIFT WHERE model_name = %(m)s "
                           "AND timestamp BETWEEN %(start)s AND %(end)s GROUP BY feature_name", {"m": model, **window})
    return {f"{model}/{r['feature_name']}": {c: float(r[c]) for c in FEATURE_COLUMNS if r[c] is not None}
            for r in rows}
