"""A replica killed (SIGKILL) right after its alert claim, once Slack had accepted the post but before
the answer came back: the next replica takes the lapsed claim over, finds the post by its metadata
and adopts it — one post, recorded, within the lease and a sweep or two."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from bot.monitor.notifier import POST_LEASE_SEC
from bot.store import open_store
from seed.slack import SlackStandIn
from tests.helpers.processes import seed_served
from tests.helpers.processes import start_bot as start

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_a_replica_killed_once_slack_took_its_post_leaves_one_post_adopted_by_the_next(
        tmp_path: Path, slack: SlackStandIn, postgres_url: str, shared_warehouse: dict[str, str]) -> None:
    seed_served(shared_warehouse, "drift")
    env = dict(DATABASE_URL=postgres_url, MONITOR_POLL_INTERVAL_SEC="0.5", HEALTH_PORT="0", LOG_LEVEL="ERROR",
               **shared_warehouse)
    slack.faults.after_storing("chat.postMessage", "hold")
    started: list[subprocess.Popen] = []
    try:
        started.append(first := start(tmp_path, slack, **env))
        assert slack.faults.held.wait(90), "the first replica never posted"
        [post] = slack.messages("C0MLALERTS")  # Slack has the post; its answer is held
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        slack.faults.release()
        killed_at = time.monotonic()
        started.append(start(tmp_path, slack, **env))
        store = open_store(postgres_url)
        slack.wait_for(lambda: {a.slack_ts for a in store.alerts.list_firing()} == {post.ts},
                       timeout=2 * POST_LEASE_SEC + 60)
        took = time.monotonic() - killed_at
        print(f"the post was adopted {took:.1f} s after the kill (lease {POST_LEASE_SEC:.0f} s)")
        time.sleep(2)  # a few more sweeps of the second replica
        assert slack.messages("C0MLALERTS") == [post]
        assert len([c for c in slack.ws.calls if c.method == "chat.postMessage"]) == 1
        assert len(store.incidents.recent()) == 1
        assert {a.post_attempts for a in store.alerts.list_firing()} == {2}
        store.engine.dispose()
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            process.communicate(timeout=60)
