"""A replica SIGKILLed mid-investigation, on PostgreSQL with two `agentops run` processes: the
investigation is slow because Claude (the scripted Messages API) hangs on its first request. Within
2 × the lease the other replica takes the claim over and completes it, nothing is left running, and
an Investigate click afterwards starts a new investigation."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.store import open_store
from handlers.actions.ids import INVESTIGATE_ALERT
from seed.slack import SlackStandIn
from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced
from tests.helpers.processes import seed_served
from tests.helpers.processes import start_bot as start

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
LEASE_SEC = 4.0
DRIFT = "model_drift:classifier_v2"


def diagnoses(slack: SlackStandIn, thread_ts: str) -> list[str]:
    return [m.text for m in slack.messages("C0MLALERTS", thread_ts=thread_ts) if m.text.startswith("Diagnosis for")]


def test_a_replica_killed_mid_investigation_is_taken_over_within_twice_the_lease(
        tmp_path: Path, slack: SlackStandIn, postgres_url: str, shared_warehouse: dict[str, str]) -> None:
    seed_served(shared_warehouse, "drift")
    store = open_store(postgres_url)
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.hang_next()  # the first investigation's first model call never answers: it is mid-way when killed
        replicas = [start(tmp_path, slack, DATABASE_URL=postgres_url, MONITOR_POLL_INTERVAL_SEC="0.5",
                          HEALTH_PORT="0", LOG_LEVEL="ERROR", AUTO_INVESTIGATE="all",
                          INVESTIGATION_LEASE_SEC=str(LEASE_SEC), ANTHROPIC_API_KEY="sk-ant-test",
                          ANTHROPIC_BASE_URL=api.base_url, **shared_warehouse) for _ in range(2)]
        try:
            slack.wait_for(lambda: len(slack.link.open) == 2, timeout=60)
            slack.wait_for(lambda: api.headers, timeout=60)  # the auto-investigation is waiting for Claude
            # the hung one: still running once any other post's investigation (answered at once) is done
            def only_running() -> object:
                running = [i for i in store.investigations.recent() if i.status == "running"]
                return running[0] if len(running) == 1 else None

            running = slack.wait_for(only_running, timeout=60)
            assert running.lease_owner
            holder = next(p for p in replicas if p.pid == int(running.lease_owner.split(":")[1]))
            holder.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            holder.wait(timeout=30)

            def taken_over() -> object:
                current = store.investigations.get(running.investigation_id)
                return current if current and current.attempts == 2 else None

            resumed = slack.wait_for(taken_over, timeout=4 * LEASE_SEC)
            resumed_after = time.monotonic() - killed_at
            assert resumed.lease_owner != running.lease_owner
            thread_ts = running.slack_ts
            assert thread_ts is not None
            slack.wait_for(lambda: diagnoses(slack, thread_ts), timeout=4 * LEASE_SEC)
            diagnosed_after = time.monotonic() - killed_at
            final = store.investigations.get(running.investigation_id)
            assert final is not None and final.status == "done"
            print(f"\nlease {LEASE_SEC:.0f} s, heartbeat {LEASE_SEC / 3:.2f} s: taken over {resumed_after:.2f} s "
                  f"after the SIGKILL, diagnosis posted {diagnosed_after:.2f} s after it")
            assert diagnosed_after <= 2 * LEASE_SEC

            slack.wait_for(lambda: len(slack.link.open) == 1, timeout=30)
            envelope = slack.click(INVESTIGATE_ALERT, DRIFT, thread_ts, user="U0SECOND")
            slack.wait_ack(envelope, timeout=10)
            slack.wait_for(lambda: len(diagnoses(slack, thread_ts)) == 2, timeout=60)
            assert slack.ephemerals("U0SECOND") == []  # not "already running"
            survivors = store.investigations.recent()
        finally:
            for process in replicas:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in replicas:
                process.communicate(timeout=60)
            store.close()
    assert [r.status for r in survivors] == ["done", "done"]
    assert not slack.ws.statuses  # no thread is left saying "investigating…"
    assert [p.returncode for p in replicas].count(0) == 1  # the survivor stopped cleanly
