"""Approvals, actions, expiry and incidents as domain services: decisions read from the store and the
in-memory announcer (no Slack), the action run against the demo ML service on loopback."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.clock import naive_utc
from bot.monitor.monitor import Monitor
from bot.remediation.decisions import Origin, click
from bot.remediation.expiry import expire_due
from bot.store.records import Approval
from seed.loader import seed
from tests.helpers.remediation import DRIFT, LEAD, REQUESTER, VIEWER, audit, click_on, play, remediation


def test_the_diagnosis_is_announced_then_one_request_per_gated_proposal(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now) as (d, _):
        async def story(requests: dict[str, Approval]) -> None:
            assert set(requests) == {"rollback_model", "retrain_model"}
            [ready] = d.announcer.of("diagnosis_ready")
            assert ready.details["result"].diagnosis.root_cause_category == "distribution_shift"
            assert ready.details["steps"][:1] == ["querying model metrics of classifier_v2"]
            order = [s.what for s in d.announcer.said]
            assert order.index("diagnosis_ready") < order.index("trend_chart") < order.index("approval_requested")
            incident = d.deps.store.incidents.for_alert(requests["rollback_model"].alert_id)
            assert incident is not None and incident.status == "awaiting_approval" and incident.diagnosed_at

        play(d, story)


def test_refusals_decide_nothing_and_every_click_is_audited(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, agentops_four_eyes=True) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rid = requests["rollback_model"].request_id
            assert (await click_on(d, rid, VIEWER, "approved")).outcome == "not_approver"
            assert (await click_on(d, "forged-id", LEAD, "approved")).outcome == "unknown_request"
            assert (await click_on(d, rid, REQUESTER, "approved")).outcome == "four_eyes"
            assert d.announcer.of("approval_closed") == [] and service.calls("POST", "/model/rollback") == []
            assert audit(d, rid) == [("offline", "approval.request", "pending"),
                                     (VIEWER, "permission_denied", "refused:approver"),
                                     (VIEWER, "approval.approve", "refused:not_approver"),
                                     (REQUESTER, "approval.approve", "refused:four_eyes")]
            assert audit(d, "forged-id") == [(LEAD, "approval.approve", "refused:unknown_request")]

        play(d, story)


def test_concurrent_approvals_run_the_action_once_verified_and_announced(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rid = requests["rollback_model"].request_id
            results = await asyncio.gather(click_on(d, rid, LEAD, "approved"), click_on(d, rid, REQUESTER,
                                                                                        "approved"))
            assert sorted(r.outcome for r in results) == ["already_decided", "decided"]
            await d.settle()
            [closed] = d.announcer.of("approval_closed")
            assert closed.about.status == "approved"
            [finished] = d.announcer.of("action_finished")
            assert finished.details["status"] == "completed"
            assert finished.details["details"].startswith("classifier_v2 rolled back: v2.4.0 → v2.3.1")
            assert "verifying health, readiness and the model now serving" in finished.details["steps"]
            assert len(service.calls("POST", "/model/rollback")) == 1
            stored = d.deps.store.approvals.get(rid)
            assert stored is not None and stored.action_status == "completed"
            incident = d.deps.store.incidents.for_alert(stored.alert_id or "")
            assert incident is not None and incident.status == "remediating" and incident.acted_at

        play(d, story)


def test_denied_and_expired_requests_close_and_leave_the_incident_to_people(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            assert (await click_on(d, requests["rollback_model"].request_id, LEAD, "denied")).outcome == "decided"
            d.clock.advance(timedelta(seconds=301))
            [expired] = await expire_due(d.deps)
            assert expired.request_id == requests["retrain_model"].request_id
            late = await click_on(d, expired.request_id, LEAD, "approved")
            assert late.outcome == "already_decided" and late.approval and late.approval.status == "expired"
            assert [(s.about.action, s.about.status) for s in d.announcer.of("approval_closed")] == [
                ("rollback_model", "denied"), ("retrain_model", "expired")]
            incident = d.deps.store.incidents.for_alert(expired.alert_id or "")
            assert incident is not None and incident.status == "escalated"
            assert [(a["action"], a["status"]) for a in incident.actions] == [("rollback_model", "skipped"),
                                                                              ("retrain_model", "skipped")]
            assert service.calls("POST", "/model/rollback") == []

        play(d, story)


def test_recovery_after_the_action_resolves_the_incident_and_announces_it_in_the_alert_thread(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now) as (d, _):
        async def story(requests: dict[str, Approval]) -> None:
            await click_on(d, requests["rollback_model"].request_id, LEAD, "approved")
            await d.settle()
            seed(d.deps.warehouse, "healthy", naive_utc(d.clock.now()), reset=True)
            d.clock.advance(timedelta(minutes=1))
            await Monitor(d.deps, "test").tick()
            resolved = {s.about.fingerprint: s for s in d.announcer.of("incident_resolved")}
            drift = resolved[DRIFT]
            assert drift.details["thread"] == d.announcer.of("alert_posted")[0].details["post"]
            assert drift.about.status == "resolved" and drift.about.actions[0]["status"] == "completed"
            [row] = d.deps.warehouse.query("SELECT resolution FROM INCIDENTS WHERE incident_id = %(i)s",
                                           {"i": drift.about.incident_id})
            assert row["resolution"].startswith("rollback_model completed: classifier_v2 rolled back")

        play(d, story)


def test_a_real_request_id_clicked_on_another_message_decides_nothing(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rid = requests["rollback_model"].request_id
            elsewhere = Origin("C0OTHER", "1700000000.000100")
            result = await click(d.deps, rid, LEAD, "approved", elsewhere)
            assert result.outcome == "wrong_message"
            await d.settle()
            assert service.calls("POST", "/model/rollback") == [] and d.announcer.of("approval_closed") == []
            assert d.deps.store.approvals.get(rid).status == "pending"
            [refused] = [e for e in d.deps.store.audit.entries(rid) if e.actor == LEAD]
            assert (refused.outcome, refused.channel, refused.message_ts) == (
                "refused:wrong_message", "C0OTHER", "1700000000.000100")
            assert (await click_on(d, rid, LEAD, "approved")).outcome == "decided"  # its own message still works

        play(d, story)
