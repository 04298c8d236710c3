"""100 concurrent Approve clicks spread over three `agentops run` processes sharing PostgreSQL:
one decision, one call to the ML service, 99 clickers told who decided first."""

from __future__ import annotations

import signal
from collections import Counter
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.store import open_store
from seed.ml_service import DemoMLService
from seed.slack import SlackStandIn
from tests.helpers.processes import start_bot as start

pytestmark = pytest.mark.postgres
REPLICAS, CLICKS = 3, 100
APPROVERS = [f"U0APPROVER{n}" for n in range(5)]


def test_concurrent_approvals_on_three_replicas_run_the_action_once(tmp_path, slack: SlackStandIn,  # type: ignore[no-untyped-def]
                                                                     postgres_url: str,
                                                                     shared_warehouse: dict[str, str]) -> None:
    with DemoMLService() as service:
        replicas = [start(tmp_path, slack, DATABASE_URL=postgres_url, MONITOR_POLL_INTERVAL_SEC="0", HEALTH_PORT="0",
                          ML_SERVICE_URL=service.url, AGENTOPS_APPROVERS=",".join(APPROVERS), LOG_LEVEL="ERROR",
                          **shared_warehouse) for _ in range(REPLICAS)]
        try:
            slack.wait_for(lambda: len(slack.link.open) == REPLICAS, timeout=60)
            store = open_store(postgres_url)
            approval = store.approvals.request(
                action="rollback_model", target="classifier_v2", reason="drift", proposed_by="offline",
                requested_by="U0ONCALL", now=SystemClock().now(), timeout=timedelta(minutes=5))
            posted = WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
                channel="C0MLALERTS", text="🛂 Approval needed: Roll back classifier_v2")
            store.approvals.record_post(approval.request_id, posted["channel"], posted["ts"], posted["ts"])

            clicks = [slack.prepare_click("approve_action", approval.request_id, posted["ts"],
                                          user=APPROVERS[n % len(APPROVERS)]) for n in range(CLICKS)]
            envelopes = slack.burst(clicks)
            for envelope in envelopes:
                slack.wait_ack(envelope, timeout=30)
            slack.wait_for(lambda: len(slack.ephemerals()) == CLICKS - 1, timeout=60)
            outcome = slack.wait_for(lambda: next((m for m in slack.messages("C0MLALERTS", thread_ts=posted["ts"])
                                                   if m.text.startswith(("✅", "⚠️"))), None), timeout=60)
            audit = Counter(e.outcome for e in store.audit.entries(approval.request_id, limit=500)
                            if e.action.startswith("approval."))
            final = store.approvals.get(approval.request_id)
            store.close()
        finally:
            for process in replicas:
                process.send_signal(signal.SIGTERM)
            for process in replicas:
                process.communicate(timeout=60)
    assert len({slack.ws.envelopes[e].connection for e in envelopes}) == REPLICAS  # every replica got clicks
    assert len(service.calls("POST", "/model/rollback")) == 1
    assert outcome.text.startswith("✅ Roll back classifier_v2 done and verified")
    assert audit == Counter({"approved": 1, "refused:already_decided": CLICKS - 1})
    assert (final.status, final.action_status) == ("approved", "completed")
    told = Counter(e.text.split(" at ")[0] for e in slack.ephemerals())
    assert told == Counter({f"Already approved by <@{final.decided_by}>": CLICKS - 1})
    assert all(p.returncode == 0 for p in replicas)
