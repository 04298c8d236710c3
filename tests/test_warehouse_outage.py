"""A 60 s outage of the warehouse `agentops run` sweeps: the embedded warehouse server, a process of its
own, is stopped and started again at the same address while the bot sweeps every few seconds."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from seed.slack import SlackStandIn
from tests.helpers.processes import seed_served, serve_warehouse_on, served_at, start_bot, stop
from tests.helpers.slack_bot import free_port

pytestmark = pytest.mark.slow
INTERVAL, TIMEOUT, OUTAGE = 3, 3, 60
# posting to the stand-in, and the scheduler's jitter
SLACK_SEC = 3
CHANNEL = "C0MLALERTS"


class Probes:
    """/healthz and /readyz every half second, as an orchestrator would (each with a 2 s timeout)."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.seen: list[tuple[float, int | None, int | None, list[str]]] = []  # (when, healthz, readyz, down)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _get(self, path: str) -> httpx.Response | None:
        try:
            return httpx.get(self.url + path, timeout=2)
        except httpx.HTTPError:
            return None

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            health, ready = self._get("/healthz"), self._get("/readyz")
            self.seen.append((time.monotonic(), health.status_code if health else None,
                              ready.status_code if ready else None, ready.json()["down"] if ready else []))

    def __enter__(self) -> Probes:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def _swept(port: int) -> bool:
    """A sweep read the warehouse."""
    try:
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except httpx.HTTPError:
        return False
    return bool(re.search(r'^agentops_sweeps_total\{outcome="ok"\} [1-9]', metrics, re.M))


def _outage_posts(slack: SlackStandIn) -> list:
    return [m for m in slack.messages(CHANNEL) if "data_quality:warehouse" in slack.render_blocks(m)]


def test_a_60_s_warehouse_outage_is_one_notice_one_recovery_and_never_a_restart(tmp_path: Path,
                                                                                slack: SlackStandIn) -> None:
    (tmp_path / "wh").mkdir()
    (tmp_path / "bot").mkdir()
    port, health_port = free_port(), free_port()
    server = serve_warehouse_on(tmp_path / "wh", port)
    bot = None
    try:
        seed_served(served_at(port), "healthy")
        bot = start_bot(tmp_path / "bot", slack, **served_at(port), HEALTH_PORT=str(health_port),
                        MONITOR_POLL_INTERVAL_SEC=str(INTERVAL), WAREHOUSE_TIMEOUT_SEC=str(TIMEOUT))
        with Probes(health_port) as probes:
            slack.wait_for(lambda: _swept(health_port) and probes.seen and probes.seen[-1][2] == 200, timeout=60)
            stop(server)
            stopped = time.monotonic()
            [notice] = slack.wait_for(lambda: _outage_posts(slack), timeout=INTERVAL + TIMEOUT + SLACK_SEC)
            noticed = time.monotonic() - stopped
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped)))
            server = serve_warehouse_on(tmp_path / "wh", port)
            restarted = time.monotonic()
            resolved = slack.wait_for(lambda: slack.messages(CHANNEL, thread_ts=notice.ts),
                                      timeout=INTERVAL + TIMEOUT + SLACK_SEC + 5)
            slack.wait_for(lambda: probes.seen[-1][0] > restarted and probes.seen[-1][2] == 200, timeout=15)
            time.sleep(2 * INTERVAL)  # a few more sweeps: nothing more is said
        assert noticed <= INTERVAL + TIMEOUT + SLACK_SEC, noticed
        shown = slack.render_blocks(notice)
        assert "data source unavailable: warehouse unavailable (127.0.0.1:" in shown
        assert len(_outage_posts(slack)) == 1  # one notice for the whole outage
        assert [r.text[:11] for r in resolved] == ["✅ Resolved:"]
        assert [r.text[:11] for r in slack.messages(CHANNEL, thread_ts=notice.ts)] == ["✅ Resolved:"]
        assert slack.render_blocks(slack.messages(CHANNEL)[0]).startswith("✅ RESOLVED — warehouse")
        # liveness answered 200 to every probe, in time; readiness named the warehouse while it was down
        up = next(i for i, (_, _, ready, _) in enumerate(probes.seen) if ready == 200)  # started
        seen = probes.seen[up:]
        assert {health for _, health, _, _ in seen} == {200}, [s for s in seen if s[1] != 200]
        during = [(ready, down) for at, _, ready, down in seen if stopped + noticed < at < restarted]
        assert len(during) > OUTAGE, during  # about two probes a second
        assert all(ready == 503 and down == ["warehouse"] for ready, down in during), during
        assert [ready for at, _, ready, _ in seen if at < stopped][-1] == 200 and seen[-1][2] == 200
    finally:
        if bot is not None:
            stop(bot)
        stop(server)
    _, stderr = bot.communicate(timeout=10)
    assert "Traceback" not in stderr, stderr[-3000:]
