"""Approve / Deny in the thread, end to end: the real bot, the Slack stand-in, the demo ML service,
and the state store on SQLite and PostgreSQL. Every refusal is an ephemeral answer and an audit row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk import WebClient

from seed.github import GitHubStandIn
from tests.helpers.slack_approvals import (
    CHANNEL,
    LEAD,
    REQUESTER,
    VIEWER,
    approval_requests,
    audit_outcomes,
    click,
    drift_incident,
    outcome_message,
    remediation_bot,
    request_id,
    told,
)


def test_the_request_shows_action_target_reason_proposer_and_expiry(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, _):
        _, requests = approval_requests(bot)
        shown = slack.render_blocks(requests["rollback_model"].message)
    assert "Approval needed: Roll back classifier_v2" in shown
    assert "`rollback_model` on *classifier_v2* proposed by" in shown and "drift" in shown.lower()
    assert "proposed by the offline runbook investigator in an investigation <@U0ONCALL> started" in shown
    assert "expires 2026-11-21 12:05 UTC" in shown and "may decide: <@U0LEAD>, <@U0ONCALL>" in shown
    assert [b["elements"][0]["value"] for b in requests["rollback_model"].message.blocks
            if b["type"] == "actions"] == [requests["rollback_model"].id]  # the request id and nothing else


def test_the_request_names_the_diagnosis_in_one_line_links_it_and_confirms_approve(  # type: ignore[no-untyped-def]
        slack, tmp_path, now, store_url) -> None:
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, _):
        alert_post, requests = approval_requests(bot)
        diagnosis = next(m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts) if m.text.startswith("Diagnosis"))
    for request in requests.values():
        [why] = [b["text"]["text"] for b in request.message.blocks if b["type"] == "section"]
        line = why.split("*Why* ", 1)[1].split("\n")[0]
        # one line naming the diagnosis (not its 230-character root cause), linked to its message
        permalink = f"https://agentops-standin.slack.com/archives/{CHANNEL}/p{diagnosis.ts.replace('.', '')}"
        assert line.startswith("Distribution shift on classifier_v2: drift_score 0.45 (critical) driven by V14, V17")
        assert f"(<{permalink}?thread_ts={alert_post.ts}&cid={CHANNEL}|the diagnosis>)" in line
        assert len(line) < 230 and "roll back, then retrain" not in line
        [approve] = [b["elements"][0] for b in request.message.blocks if b["type"] == "actions"]
        assert approve["confirm"]["confirm"]["text"] == "Approve and run"  # a second look before it runs
        assert approve["confirm"]["title"]["text"].startswith(("Roll back classifier_v2", "Retrain classifier_v2"))
    assert "*When* after the rollback" in slack.render_blocks(requests["retrain_model"].message)


def test_refusals_are_told_privately_and_audited(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    with remediation_bot(slack, tmp_path, now, store_url, agentops_four_eyes=True) as (bot, service):
        alert_post, requests = approval_requests(bot)
        rollback, rid = requests["rollback_model"].message, requests["rollback_model"].id

        click(bot, "approve_action", rid, rollback, VIEWER)  # not an approver
        assert told(bot, VIEWER, 1).startswith("Only approvers can approve actions; ask one of: <@U0LEAD>")
        click(bot, "approve_action", "forged-request-id", rollback, LEAD)  # forged id
        assert told(bot, LEAD, 1).startswith("That approval request does not exist; nothing was done")
        click(bot, "approve_action", rid, rollback, REQUESTER)  # four-eyes: the requester approves
        assert "four-eyes rule needs someone else" in told(bot, REQUESTER, 1)
        assert service.calls("POST", "/model/rollback") == []

        click(bot, "approve_action", rid, rollback, LEAD)  # decided
        outcome = outcome_message(bot, alert_post.ts, "Roll back classifier_v2")
        click(bot, "deny_action", rid, rollback, REQUESTER)  # a second click, after the decision
        assert told(bot, REQUESTER, 2).startswith("Already approved by <@U0LEAD> at 12:")

        assert not [b for b in rollback.blocks if b["type"] == "actions"]  # the buttons are gone
        assert "✅ Approved by <@U0LEAD> 2026-11-21 12:" in slack.render_blocks(rollback)
        assert outcome.shown.startswith("✅ Roll back classifier_v2 done and verified: classifier_v2 rolled back: "
                                       "v2.4.0 → v2.3.1 (green slot); health ok, ready")
        assert len(service.calls("POST", "/model/rollback")) == 1
        assert audit_outcomes(bot, rid) == [
            ("offline", "approval.request", "pending"),
            (VIEWER, "permission_denied", "refused:approver"),  # the refusal as governance records it
            (VIEWER, "approval.approve", "refused:not_approver"),
            (REQUESTER, "approval.approve", "refused:four_eyes"),
            (LEAD, "approval.approve", "approved"),
            ("agentops", "action.rollback_model", "started"),
            ("agentops", "action.rollback_model", "completed"),
            (REQUESTER, "approval.deny", "refused:already_decided"),
        ]
        assert audit_outcomes(bot, "forged-request-id") == [(LEAD, "approval.approve", "refused:unknown_request")]


def test_an_expired_request_is_refused_at_click_time_and_shown_expired(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, service):
        _, requests = approval_requests(bot)
        ids = {action: request.id for action, request in requests.items()}
        bot.clock.advance(timedelta(seconds=301))
        click(bot, "approve_action", ids["retrain_model"], requests["retrain_model"].message, LEAD)
        assert told(bot, LEAD, 1).startswith("This request expired at 12:05 UTC; nothing was done")
        # the other one is closed by the scheduled job, not by a click
        expired = bot.thread.call(bot.thread.bot.expire_approvals())
        assert [a.action for a in expired] == ["rollback_model"]
        for request in requests.values():
            shown = slack.render_blocks(request.message)
            assert "⌛ Expired 2026-11-21 12:05 UTC: nobody decided in time; nothing was done" in shown
        assert service.calls("POST", "/training/trigger") == [] and service.calls("POST", "/model/rollback") == []
        assert audit_outcomes(bot, ids["retrain_model"])[-1] == (LEAD, "approval.approve", "refused:expired")
        assert audit_outcomes(bot, ids["rollback_model"])[-1] == (
            "agentops", "approval.expire", "expired")
        incident = drift_incident(bot)
        assert incident.status == "escalated"  # nothing left to approve: people take over


def test_a_denied_action_is_not_run(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, service):
        _, requests = approval_requests(bot)
        rollback = requests["rollback_model"]
        click(bot, "deny_action", rollback.id, rollback.message, LEAD)
        shown = slack.wait_for(lambda: "Denied" in slack.render_blocks(rollback.message)
                               and slack.render_blocks(rollback.message))
        assert "🚫 Denied by <@U0LEAD> 2026-11-21 12:00:00 UTC" in shown
        assert service.calls("POST", "/model/rollback") == []


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_retrain_that_fails_the_gate_is_reported_and_not_promoted(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    with remediation_bot(slack, tmp_path, now, store_url, training_f1=0.65) as (bot, service):
        alert_post, requests = approval_requests(bot)
        retrain = requests["retrain_model"]
        click(bot, "approve_action", retrain.id, retrain.message, LEAD)
        outcome = outcome_message(bot, alert_post.ts, "Retrain classifier_v2")
        assert outcome.shown.startswith("⚠️ Retrain classifier_v2 failed: training run train-0001 was not promoted: "
                                       "evaluation gate: new F1 0.650 < production F1 0.910")
        assert service.registry.info("classifier")["active"]["version"] == "v2.4.0"  # not promoted
        approval = bot.deps.store.approvals.get(retrain.id)
        assert (approval.status, approval.action_status) == ("approved", "failed")
        incident = slack.wait_for(lambda: drift_incident(bot).status == "escalated" and drift_incident(bot))
        assert incident.resolved_at is None  # left open for people
        assert bot.deps.store.alerts.firing("model_drift:classifier_v2") is not None


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_service_error_is_reported_and_nothing_is_marked_done(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, service):
        alert_post, requests = approval_requests(bot)
        service.fail("/model/rollback", 502, after_acting=True)  # the lost answer: it did act
        rollback = requests["rollback_model"]
        click(bot, "approve_action", rollback.id, rollback.message, LEAD)
        outcome = outcome_message(bot, alert_post.ts, "Roll back classifier_v2")
        assert outcome.shown.startswith("⚠️ Roll back classifier_v2 failed: ML service at http://127.0.0.1:")
        assert "did not confirm POST /model/rollback (HTTP 502" in outcome.shown
        assert "check the model's state before trying again" in outcome.shown
        assert len(service.calls("POST", "/model/rollback")) == 1  # a write is never repeated blindly
        assert bot.deps.store.approvals.get(rollback.id).action_status == "failed"
        slack.wait_for(lambda: drift_incident(bot).status == "escalated")


def test_the_whole_loop_resolves_the_incident_records_it_and_closes_its_issue(slack, tmp_path, now,  # type: ignore[no-untyped-def]
                                                                              store_url) -> None:
    with GitHubStandIn() as github:
        github.fail("POST", "/issues", 502, after_acting=True)  # GitHub created it, the proxy lost the answer
        with remediation_bot(slack, tmp_path, now, store_url, github_token=github.token, github_repo=github.repo,
                             github_api_url=github.api_url) as (bot, service):
            alert_post, requests = approval_requests(bot)
            bot.clock.advance(timedelta(minutes=4))  # the approver reads the diagnosis
            for action, title in (("rollback_model", "Roll back"), ("retrain_model", "Retrain")):
                click(bot, "approve_action", requests[action].id, requests[action].message, LEAD)
                assert outcome_message(bot, alert_post.ts, f"{title} classifier_v2").text.startswith("✅")
            # each action's comment follows its Slack outcome: wait for both, or the resolution may overtake one
            slack.wait_for(lambda: sum(len(i.comments) for i in github.issues.values()) >= 2)
            bot.clock.advance(timedelta(minutes=1))
            bot.tick()  # the monitor reads the retrained model's first measurement
            summary = slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts)
                                                   if m.text.startswith("📋")), None))
            incident = slack.wait_for(lambda: drift_incident(bot).status == "resolved" and drift_incident(bot))
            rows = bot.deps.warehouse.query("SELECT * FROM INCIDENTS WHERE incident_id = %(id)s",
                                            {"id": incident.incident_id})
        assert summary.shown == (f"📋 {incident.incident_id} resolved · time to detect 80.0 min · to diagnose 0 s · "
                                "to act 4.0 min")
        assert [(a["action"], a["status"]) for a in incident.actions] == [
            ("rollback_model", "completed"), ("retrain_model", "completed")]
        assert (incident.time_to_diagnose_sec, incident.time_to_act_sec) == (0.0, 240.0)
        [row] = rows
        assert (row["status"], row["alert_type"], row["affected_component"]) == ("resolved", "model_drift",
                                                                                 "classifier_v2")
        assert "rollback_model completed" in row["resolution"] and row["duration_minutes"] == 5
        # one issue despite the 502 after creating it; a comment per action; closed on resolution
        [issue] = github.issues.values()
        assert issue.title.startswith(f"[{incident.incident_id}] model_drift on classifier_v2: distribution shift")
        assert "V14 PSI 0.80" in issue.body and issue.state == "closed"
        *actions, resolution = [c.split("\n")[0] for c in issue.comments]
        # each action's comment follows its Slack outcome, so the two may land in either order
        assert sorted(actions) == ["**retrain_model** on classifier_v2: **completed** (approved by U0LEAD)",
                                   "**rollback_model** on classifier_v2: **completed** (approved by U0LEAD)"]
        assert resolution == f"Resolved at {incident.resolved_at:%Y-%m-%d %H:%M} UTC: the alert no longer fires."
        assert service.registry.info("classifier")["active"]["version"] == "v2.5.0"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_action_a_stopped_replica_left_is_taken_over_and_its_progress_message_ends_verified(  # type: ignore[no-untyped-def]
        slack, tmp_path, now, store_url) -> None:
    with remediation_bot(slack, tmp_path, now, store_url, action_lease_sec=2) as (bot, service):
        alert_post, requests = approval_requests(bot)
        rollback = requests["rollback_model"]
        store = bot.deps.store
        # another replica decided and claimed it, showed its progress, then died before sending anything
        store.approvals.decide(rollback.id, "approved", LEAD, bot.clock.now())
        assert store.approvals.claim_action(rollback.id, bot.clock.now(), "stopped-replica", timedelta(seconds=2))
        shown = WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
            channel=CHANNEL, thread_ts=alert_post.ts, text="⚙️ Roll back classifier_v2: starting")
        store.approvals.record_progress(rollback.id, "stopped-replica", shown["channel"], shown["ts"])
        bot.thread.call(bot.thread.bot.resume_actions())
        assert store.approvals.get(rollback.id).action_status == "running"  # its lease still holds
        bot.clock.advance(timedelta(seconds=3))
        bot.thread.call(bot.thread.bot.resume_actions())
        outcome = outcome_message(bot, alert_post.ts, "Roll back classifier_v2")
        assert outcome.ts == shown["ts"]  # the stopped replica's message, edited: one message per action
        assert outcome.shown.startswith("✅ Roll back classifier_v2 done and verified: classifier_v2 rolled back: "
                                        "v2.4.0 → v2.3.1")
        assert store.approvals.get(rollback.id).action_status == "completed"
        assert len(service.calls("POST", "/model/rollback")) == 1
        assert audit_outcomes(bot, rollback.id)[-2:] == [("agentops", "action.rollback_model", "taken_over"),
                                                         ("agentops", "action.rollback_model", "completed")]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_an_on_demand_investigation_gets_approvals_too_without_an_incident(slack, tmp_path, now,  # type: ignore[no-untyped-def]
                                                                           store_url) -> None:
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, service):
        slack.wait_ack(slack.slash_command("investigate F1 dropped on classifier_v2", user=REQUESTER))
        opened = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        request = slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=opened.ts)
                                               if m.text.startswith("🛂 Approval needed: Roll back")), None),
                                 timeout=30)
        click(bot, "approve_action", request_id(request), request, LEAD)
        assert outcome_message(bot, opened.ts, "Roll back classifier_v2").text.startswith("✅")
        assert len(service.calls("POST", "/model/rollback")) == 1
        assert bot.deps.store.incidents.recent() == []  # no alert, so no incident to track


def test_an_outcome_edit_slack_refused_reaches_the_progress_message_once_slack_answers(  # type: ignore[no-untyped-def]
        slack, tmp_path, now, store_url) -> None:
    with remediation_bot(slack, tmp_path, now, store_url) as (bot, service):
        alert_post, requests = approval_requests(bot)
        rollback = requests["rollback_model"]
        service.hang("/health", 1.0)  # holds the verification, so the outage covers the outcome's edit
        click(bot, "approve_action", rollback.id, rollback.message, LEAD)
        slack.wait_for(lambda: service.calls("POST", "/model/rollback"), timeout=30)
        slack.faults.window(3, 500, methods=("chat.update",))
        slack.wait_for(lambda: bot.deps.store.approvals.get(rollback.id).action_status == "completed", timeout=30)
        outcome = outcome_message(bot, alert_post.ts, "Roll back classifier_v2")  # the progress message itself
        assert outcome.shown.startswith("✅ Roll back classifier_v2"), outcome.shown
        assert [m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts) if m.text.startswith("⚙️")] == []
