"""SIGKILL of an `agentops run` replica at the moments an approved action can be lost, on PostgreSQL with
a short lease: another replica completes the action exactly once (one write on the ML service, verified)
within 2 × the lease, and nothing is left `running` or `awaiting_approval`. Each moment is reached through
far ends — a lock held on the audit log in PostgreSQL, a training run the ML service stand-in keeps
running, the rows' states — never by patching the bot."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import text

from bot.clock import SystemClock
from bot.store import Store, open_store
from bot.store.records import Approval
from seed.ml_service import DemoMLService
from seed.slack import SlackStandIn
from tests.helpers.processes import start_bot

pytestmark = pytest.mark.postgres
LEASE_SEC = 4.0
LEAD = "U0LEAD"
CHANNEL = "C0MLALERTS"


class Replicas:
    def __init__(self, tmp_path: Path, slack: SlackStandIn, env: dict[str, str]) -> None:
        self.tmp_path, self.slack, self.env = tmp_path, slack, env
        self.started: list[subprocess.Popen] = []
        self.by_connection: dict[int, subprocess.Popen] = {}  # its socket-mode connection → the replica

    def __call__(self) -> subprocess.Popen:
        """One more replica, once its socket is open."""
        known = set(self.slack.link.open)
        process = start_bot(self.tmp_path, self.slack, **self.env)
        self.started.append(process)
        [connection] = self.slack.wait_for(lambda: set(self.slack.link.open) - known or None, timeout=60)
        self.by_connection[connection] = process
        return process


@contextmanager
def replicas(tmp_path: Path, slack: SlackStandIn, env: dict[str, str]) -> Iterator[Replicas]:
    """Start replicas on demand; every one still running is stopped afterwards, even on failure."""
    start = Replicas(tmp_path, slack, env)
    started = start.started

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


@contextmanager
def world(tmp_path: Path, slack: SlackStandIn, postgres_url: str, warehouse: dict[str, str],
          training_sec: float = 3.0) -> Iterator[tuple[DemoMLService, Store, Replicas]]:
    """The demo ML service, the shared store as the test reads it, and replicas started on demand."""
    with DemoMLService(training_sec=training_sec) as service:
        env = {"DATABASE_URL": postgres_url, "MONITOR_POLL_INTERVAL_SEC": "0", "HEALTH_PORT": "0",
               "ML_SERVICE_URL": service.url, "AGENTOPS_APPROVERS": LEAD, "LOG_LEVEL": "WARNING",
               "ACTION_LEASE_SEC": str(LEASE_SEC), "ACTION_POLL_INTERVAL_SEC": "0.2", **warehouse}
        with replicas(tmp_path, slack, env) as start:
            store = open_store(postgres_url)
            try:
                yield service, store, start
            finally:
                store.close()


def requested(store: Store, slack: SlackStandIn, action: str) -> tuple[Approval, str]:
    """An approval request on an open incident, posted in the alert channel as the bot posts it."""
    now = SystemClock().now()
    store.incidents.open(alert_ids=["alert-1"], fingerprint="model_drift:classifier_v2", alert_type="model_drift",
                         severity="critical", component="classifier_v2",
                         breach_started_at=now - timedelta(minutes=20), now=now)
    incident = store.incidents.for_alert("alert-1")
    assert incident is not None and store.incidents.advance(incident.incident_id, "awaiting_approval")
    approval = store.approvals.request(action=action, target="classifier_v2", reason="drift", proposed_by="offline",
                                       requested_by="U0ONCALL", now=now, timeout=timedelta(minutes=5),
                                       alert_id="alert-1")
    title = "Roll back" if action == "rollback_model" else "Retrain"
    posted = WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
        channel=CHANNEL, text=f"🛂 Approval needed: {title} classifier_v2")
    store.approvals.record_post(approval.request_id, posted["channel"], posted["ts"], posted["ts"])
    return approval, posted["ts"]


def until(check: Callable[[], object], timeout: float, what: str) -> float:
    """Seconds until `check()` is truthy, polled every 50 ms."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)
    return time.monotonic() - start


def outcomes(slack: SlackStandIn, thread_ts: str) -> list:
    return [m for m in slack.messages(CHANNEL, thread_ts=thread_ts) if m.text.startswith(("✅", "⚠️", "⚙️"))]


def test_killed_after_the_decision_was_stored_before_the_claim(tmp_path, slack: SlackStandIn,  # type: ignore[no-untyped-def]
                                                               postgres_url: str,
                                                               shared_warehouse: dict[str, str]) -> None:
    with world(tmp_path, slack, postgres_url, shared_warehouse) as (service, store, start):
        start(), start()
        approval, ts = requested(store, slack, "rollback_model")
        rid = approval.request_id
        # the decision commits, then the replica waits on the audit log's lock: decided, not claimed
        with store.engine.connect() as held:
            held.execute(text("LOCK TABLE audit_log IN EXCLUSIVE MODE"))
            clicked = slack.wait_ack(slack.click("approve_action", rid, ts, user=LEAD), timeout=30)
            until(lambda: store.approvals.get(rid).status == "approved", 30, "the decision")  # type: ignore[union-attr]
            first = start.by_connection[clicked.connection]  # type: ignore[index]  # the replica that decided
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            killed_at = time.monotonic()
            assert store.approvals.get(rid).action_status is None  # type: ignore[union-attr]
            held.rollback()  # the lock goes with it
        until(lambda: store.approvals.get(rid).action_status == "completed", 2 * LEASE_SEC, "the takeover")  # type: ignore[union-attr]
        took = time.monotonic() - killed_at
        final = store.approvals.get(rid)
        incident = store.incidents.for_alert("alert-1")
    assert first.returncode == -signal.SIGKILL
    assert took <= 2 * LEASE_SEC
    assert len(service.calls("POST", "/model/rollback")) == 1
    assert final is not None and (final.status, final.action_status) == ("approved", "completed")
    assert incident is not None and incident.status == "remediating"  # acted and verified; the alert decides
    assert [(a["action"], a["status"]) for a in incident.actions] == [("rollback_model", "completed")]
    [outcome] = slack.wait_for(lambda: [m for m in outcomes(slack, ts) if m.text.startswith("✅")] or None)
    assert outcome.text.startswith("✅ Roll back classifier_v2 done and verified")
    request = next(m for m in slack.messages(CHANNEL) if m.ts == ts)
    assert not any(b["type"] == "actions" for b in request.blocks or [])  # no buttons left on it


def test_killed_while_an_approved_retrain_runs(tmp_path, slack: SlackStandIn, postgres_url: str,  # type: ignore[no-untyped-def]
                                               shared_warehouse: dict[str, str]) -> None:
    with world(tmp_path, slack, postgres_url, shared_warehouse, training_sec=12) as (service, store, start):
        start(), start()
        approval, ts = requested(store, slack, "retrain_model")
        rid = approval.request_id
        clicked = slack.wait_ack(slack.click("approve_action", rid, ts, user=LEAD), timeout=30)
        # the run is on the ML service and its id in the store: the replica is now waiting on it
        until(lambda: store.approvals.get(rid).action_run_id, 30, "the training run")  # type: ignore[union-attr]
        holder = store.approvals.get(rid).action_claimed_by  # type: ignore[union-attr]
        assert [r["status"] for r in service.registry.status("classifier")] == ["running"]
        first = start.by_connection[clicked.connection]  # type: ignore[index]  # the replica running it
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        taken = until(lambda: store.approvals.get(rid).action_claimed_by not in (holder, None),  # type: ignore[union-attr]
                      2 * LEASE_SEC, "the takeover")
        until(lambda: store.approvals.get(rid).action_status != "running", 60, "the verification")  # type: ignore[union-attr]
        final = store.approvals.get(rid)
        incident = store.incidents.for_alert("alert-1")
    assert taken <= 2 * LEASE_SEC
    assert len(service.calls("POST", "/training/trigger")) == 1
    assert final is not None and final.action_status == "completed", final
    assert incident is not None and incident.status == "remediating"
    assert [(a["action"], a["status"]) for a in incident.actions] == [("retrain_model", "completed")]
    # one message for the action: the killed replica's progress message, edited to the outcome by the other
    [outcome] = slack.wait_for(lambda: [m for m in outcomes(slack, ts) if m.text.startswith("✅")] or None)
    assert [m.ts for m in outcomes(slack, ts)] == [outcome.ts] == [final.action_progress_ts]
    assert outcome.text.startswith("✅ Retrain classifier_v2 done and verified: classifier_v2 retrained (train-0001)")
