"""One bad component name never silences the channel: a poisoned model beside the real drift, on
both store backends (PostgreSQL refuses NUL bytes and over-long keys that SQLite accepts)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.clock import naive_utc
from bot.monitor.monitor import Monitor
from bot.warehouse.names import MAX_COMPONENT
from tests.helpers.domain import Domain, domain

POISONED = ["evil\x00model", "m" * 3000, "*bold* <!channel> <https://evil.example|open runbook>"]


def add_drifting_model(d: Domain, name: str) -> None:
    now = naive_utc(d.clock.now())
    for minutes in (150, 90, 30):
        d.deps.warehouse.execute(
            "INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, drift_score, latency_p95_ms, "
            "latency_p99_ms, anomaly_rate, prediction_count) VALUES (%(at)s, %(name)s, 'v1', 0.91, 0.5, 100, 200, "
            "0.01, 1000)", {"at": now - timedelta(minutes=minutes), "name": name})


def test_a_poisoned_component_beside_a_real_drift(tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path / "data", now, database_url=store_url) as d:
        for name in POISONED:
            add_drifting_model(d, name)
        monitor = Monitor(d.deps, replica="test")
        asyncio.run(monitor.tick())
        posted = {s.about: s for s in d.announcer.of("alert_posted")}
        assert "classifier_v2" in posted  # the real drift goes out
        assert len(posted) == 1 + len(POISONED)  # and each poisoned one, once, under a name the store can key
        for component in posted:
            assert len(component) <= MAX_COMPONENT and "\x00" not in component
        long_one = next(s for c, s in posted.items() if c.startswith("mmm"))
        assert "(3,000 characters)" in long_one.details["alerts"][0].message  # the original, said as it was
        assert b"agentops_alert_failures_total{" not in d.deps.metrics.render()  # nothing had to be skipped

        d.clock.advance(timedelta(minutes=5))
        asyncio.run(monitor.tick())
        assert len(d.announcer.of("alert_posted")) == len(posted)  # the same names next sweep: no second post
