"""Three bot processes on one PostgreSQL state store, sweeping the same standing breach: one post each."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seed.slack import SlackStandIn
from tests.conftest import _postgres_schema_url
from tests.slack_fixtures import free_port
from tests.test_cli import agentops
from tests.test_run_command import start

pytestmark = pytest.mark.postgres
REPLICAS, SWEEPS = 3, 100


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_schema_url()


@pytest.fixture
def shared_warehouse(tmp_path: Path) -> Iterator[dict[str, str]]:
    server = subprocess.Popen([sys.executable, "-m", "bot", "warehouse", "serve"], cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True)
    port = re.search(r"serving on 127\.0\.0\.1:(\d+)", server.stdout.readline()).group(1)  # type: ignore[union-attr]
    env = {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "agentops", "SNOWFLAKE_PASSWORD": "embedded",
           "SNOWFLAKE_HOST": "127.0.0.1", "SNOWFLAKE_PORT": port, "SNOWFLAKE_PROTOCOL": "http"}
    try:
        yield env
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def sweeps(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(float(v) for v in re.findall(r'^agentops_sweeps_total\{outcome="ok"\} (\S+)$', text, re.M))


def test_three_replicas_post_each_fingerprint_exactly_once(tmp_path: Path, slack: SlackStandIn, postgres_url: str,
                                                          shared_warehouse: dict[str, str]) -> None:
    assert agentops("seed", "--scenario", "drift", "--remote", cwd=tmp_path, **shared_warehouse).returncode == 0
    ports = [free_port() for _ in range(REPLICAS)]
    replicas = [start(tmp_path, slack, DATABASE_URL=postgres_url, MONITOR_POLL_INTERVAL_SEC="0.1",
                      HEALTH_PORT=str(port), LOG_LEVEL="ERROR", **shared_warehouse) for port in ports]
    try:
        slack.wait_for(lambda: len(slack.link.open) == REPLICAS, timeout=60)
        deadline = time.monotonic() + 240
        while min(sweeps(port) for port in ports) < SWEEPS:
            assert time.monotonic() < deadline, [sweeps(port) for port in ports]
            time.sleep(1)
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
