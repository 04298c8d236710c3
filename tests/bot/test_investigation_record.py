"""An investigation's record survives its failure: the calls it made up to the one that failed are stored,
so the run trace shows where it stopped and why."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from agents.subject import Subject
from bot.investigations import start_investigation
from bot.monitor.monitor import Monitor
from bot.notify import post_of
from bot.redact import Redactor
from bot.run_trace import Lookup, run_trace
from tests.helpers.domain import domain

DRIFT = "model_drift:classifier_v2"


def test_an_investigation_the_warehouse_fails_keeps_its_steps_up_to_the_failure(tmp_path: Path, now: datetime) -> None:
    with domain(tmp_path, now) as d:
        async def story() -> None:
            await Monitor(d.deps, "sweeper").tick()
            alert = d.deps.store.alerts.firing(DRIFT)
            assert alert is not None and (thread := post_of(alert)) is not None
            d.deps.warehouse.execute("DROP TABLE FEATURE_DRIFT")  # the second tool's table is gone
            assert await start_investigation(d.deps, subject=Subject("classifier_v2", "model", DRIFT),
                                             requested_by="U0ONCALL", thread=thread, alert_id=alert.alert_id) is None
            await d.settle()

        asyncio.run(story())
        assert [s.what for s in d.announcer.said if s.what == "investigation_failed"] == ["investigation_failed"]
        trace = run_trace(d.deps.store, Lookup("alert", DRIFT), d.clock.now(), Redactor())
    [investigation] = trace["investigations"]
    assert investigation["status"] == "failed"
    steps = [(s["name"], s["is_error"]) for s in investigation["steps"]]
    assert steps == [("query_model_metrics", False), ("query_feature_drift", True)]
    assert "FEATURE_DRIFT" in investigation["steps"][-1]["error"].upper()
