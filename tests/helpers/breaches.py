"""Many components breaching at once, written into a served embedded warehouse: the alert storm the
replica tests sweep (each component's last two measurements over the critical drift threshold)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import naive_utc
from bot.config import load_settings
from bot.warehouse import open_warehouse
from seed.loader import bulk_insert

HEALTHY = dict(model_version="v1.0.0", f1_score=0.91, precision_score=0.93, recall_score=0.89, auc_roc=0.97,
               drift_score=0.1, latency_p50_ms=45.0, latency_p95_ms=120.0, latency_p99_ms=200.0,
               prediction_count=12_000, anomaly_rate=0.02)
HOURS, BREACHING = 12, 2


def breaching_models(count: int, prefix: str = "storm_model") -> list[str]:
    return [f"{prefix}_{n:02d}" for n in range(count)]


def seed_breaches(snowflake_env: dict[str, str], models: list[str]) -> int:
    """Hourly measurements up to now for each model, drifting (0.45, critical) in the last two."""
    now = naive_utc(datetime.now(UTC)).replace(microsecond=0)
    rows = [{**HEALTHY, "timestamp": (now - timedelta(hours=h)).isoformat(sep=" "), "model_name": model,
             "drift_score": 0.45 if h < BREACHING else 0.1} for model in models for h in range(HOURS)]
    with open_warehouse(load_settings(**{k.lower(): v for k, v in snowflake_env.items()})) as warehouse:
        return bulk_insert(warehouse, "model_metrics", rows)
