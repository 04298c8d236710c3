"""What the metrics pipeline would write once a retrained model serves: its first measurement.

The demo has no real traffic, so the service writes the promoted model's row itself — a healthy
F1 (its evaluation score) and low drift, since it was trained on the shifted data — and the
monitor's next sweep sees the recovery exactly as it would in production.
"""

from __future__ import annotations

import random
from datetime import datetime

from bot.clock import naive_utc
from bot.warehouse import Warehouse
from bot.warehouse.schema import FEATURE_NAMES
from seed.loader import bulk_insert
from seed.scenarios import MODELS


def promoted_measurement(model_name: str, version: str, f1: float, now: datetime) -> tuple[dict, list[dict]]:
    """(a MODEL_METRICS row, FEATURE_DRIFT rows) for a model just trained on current data."""
    base = MODELS.get(model_name, MODELS["classifier_v2"])
    rng = random.Random(f"{model_name}:{version}")
    stamp = naive_utc(now).isoformat(timespec="seconds")
    scale = f1 / float(base["f1_score"])
    row = {**base, "timestamp": stamp, "model_name": model_name, "model_version": version,
           "f1_score": round(f1, 4), "precision_score": round(min(1.0, float(base["precision_score"]) * scale), 4),
           "recall_score": round(min(1.0, float(base["recall_score"]) * scale), 4),
           "drift_score": round(0.06 + 0.03 * rng.random(), 4)}
    drift = [{"timestamp": stamp, "model_name": model_name, "feature_name": feature,
              "psi_score": round(psi, 4), "ks_statistic": round(0.03 + 0.45 * psi, 4),
              "mean_shift": round(0.5 * psi, 4), "std_shift": round(0.4 * psi, 4)}
             for feature in FEATURE_NAMES for psi in [0.02 + 0.05 * rng.random()]]
    return row, drift


def write_promoted(warehouse: Warehouse, model_name: str, version: str, f1: float, now: datetime) -> None:
    row, drift = promoted_measurement(model_name, version, f1, now)
    bulk_insert(warehouse, "model_metrics", [row])
    bulk_insert(warehouse, "feature_drift", drift)
