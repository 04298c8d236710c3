"""Three bot processes on one PostgreSQL state store, sweeping the same standing breach: one post each."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import httpx
import pytest

from seed.slack import SlackStandIn
from tests.helpers.processes import seed_served
from tests.helpers.processes import start_bot as start
from tests.helpers.slack_bot import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REPLICAS, SWEEPS = 3, 30


def sweeps(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(float(v) for v in re.findall(r'^agentops_sweeps_total\{outcome="ok"\} (\S+)$', text, re.M))


def test_three_replicas_post_each_fingerprint_exactly_once(tmp_path: Path, slack: SlackStandIn, postgres_url: str,
                                                          shared_warehouse: dict[str, str]) -> None:
    seed_served(shared_warehouse, "drift")
    ports = [free_port() for _ in range(REPLICAS)]
    replicas = [start(tmp_path, slack, DATABASE_URL=postgres_url, MONITOR_POLL_INTERVAL_SEC="0.1",
                      HEALTH_PORT=str(port), LOG_LEVEL="ERROR", **shared_warehouse) for port in ports]
    try:
        slack.wait_for(lambda: len(slack.link.open) == REPLICAS, timeout=60)
        deadline = time.monotonic() + 240
        while min(sweeps(port) for port in ports) < SWEEPS:
            assert time.monotonic() < deadline, [sweeps(port) for port in ports]
            time.sleep(0.2)
    finally:
        for process in replicas:
            process.send_signal(signal.SIGTERM)
        for process in replicas:
            process.communicate(timeout=60)
    assert all(p.returncode == 0 for p in replicas)
    posted = [m for m in slack.messages("C0MLALERTS")]
    fingerprints = [b["elements"][0]["value"] for m in posted for b in (m.blocks or []) if b["type"] == "actions"]
    assert sorted(fingerprints) == ["accuracy_drop:classifier_v2", "model_drift:classifier_v2"]
    assert [c.method for c in slack.ws.calls if c.method == "chat.postMessage"] == ["chat.postMessage"] * len(posted)
    assert all(not slack.messages("C0MLALERTS", thread_ts=m.ts) for m in posted)  # no repeats, no notes
