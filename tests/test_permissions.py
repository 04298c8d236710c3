"""Environments and permissions, end to end: the real bot over socket mode, the Slack stand-in (clicks,
usergroups.users.list), the demo ML service and the state store on SQLite and PostgreSQL."""

from __future__ import annotations

from seed.slack.workspace import Message
from tests.helpers.permissions import policy_file, verified_actions
from tests.helpers.slack_approvals import (
    CHANNEL,
    LEAD,
    REQUESTER,
    VIEWER,
    approval_requests,
    audit_outcomes,
    click,
    outcome_message,
    remediation_bot,
    told,
)
from tests.helpers.slack_bot import RunningBot

SECOND = "U0SECOND"  # in the ml-leads user group only

TWO_APPROVERS = """
slack_groups:
  ml-leads: S0MLLEADS
policies:
  production:
    actions:
      rollback_model: {approvals: 2, approvers: [U0LEAD, "@ml-leads"]}
      retrain_model: {approvals: 1}
"""

SANDBOX = """
environments:
  models: {classifier_v2: sandbox}
levels:
  - name: sandbox_only
  - name: staging
    min_successes: 1
    max_failure_rate: 0.5
policies:
  sandbox:
    actions:
      retrain_model: {approvals: 1, risk: low}
    unattended:
      - {action: retrain_model, level: staging}
"""


def thread_texts(bot: RunningBot, thread_ts: str) -> list[str]:
    return [m.text for m in bot.slack.messages(CHANNEL, thread_ts=thread_ts)]


def denials(bot: RunningBot) -> list[tuple[str, str, dict]]:
    return [(e.actor, e.outcome, e.details) for e in reversed(bot.deps.store.audit.entries(limit=500))
            if e.action == "permission_denied"]


def shown(bot: RunningBot, message: Message, text: str) -> str:
    """The message as rendered, once it shows `text` (edits land asynchronously)."""
    return bot.slack.wait_for(lambda: text in (r := bot.slack.render_blocks(message)) and r, timeout=10)


def test_a_production_rollback_under_a_two_approver_policy_needs_two_distinct_approvers(  # type: ignore[no-untyped-def]
        slack, tmp_path, now, store_url) -> None:
    slack.ws.usergroups["S0MLLEADS"] = [SECOND]
    with remediation_bot(slack, tmp_path, now, store_url,
                         action_policy_file=policy_file(tmp_path, TWO_APPROVERS)) as (bot, service):
        alert_post, requests = approval_requests(bot)
        rollback = requests["rollback_model"]
        request = slack.render_blocks(rollback.message)
        assert "environment *production*" in slack.render_blocks(alert_post)  # the alert's context line
        assert "environment *production*" in request and "*0 of 2 approvals* (distinct approvers)" in request
        assert "may decide: <@U0LEAD>, <!subteam^S0MLLEADS>" in request
        # the retrain's policy names nobody: AGENTOPS_APPROVERS decide it, alone
        assert "may decide: <@U0LEAD>, <@U0ONCALL>" in slack.render_blocks(requests["retrain_model"].message)

        click(bot, "approve_action", rollback.id, rollback.message, LEAD)
        assert told(bot, LEAD, 1) == "Your approval is in: 1 of 2. It runs once 1 more approver(s) approve."
        assert "*1 of 2 approvals*: <@U0LEAD>" in shown(bot, rollback.message, "1 of 2 approvals")
        click(bot, "approve_action", rollback.id, rollback.message, LEAD)  # the same person twice
        assert told(bot, LEAD, 2).startswith("You already approved this; it needs 2 different approvers (1 of 2")
        click(bot, "approve_action", rollback.id, rollback.message, REQUESTER)  # an approver, but not of this
        assert told(bot, REQUESTER, 1).startswith("This action's policy lets only <@U0LEAD>, <!subteam^S0MLLEADS>")
        assert service.calls("POST", "/model/rollback") == []  # one distinct approval is not enough

        click(bot, "approve_action", rollback.id, rollback.message, SECOND)  # a member of @ml-leads
        outcome = outcome_message(bot, alert_post.ts, "Roll back classifier_v2")
        assert outcome.text.startswith("✅ Roll back classifier_v2 done and verified")
        assert len(service.calls("POST", "/model/rollback")) == 1
        assert "✅ Approved by <@U0LEAD>, <@U0SECOND>" in shown(bot, rollback.message, "Approved by")
        assert not [b for b in rollback.message.blocks or [] if b["type"] == "actions"]
        assert ("usergroups.users.list", {"usergroup": "S0MLLEADS"}) in [
            (c.method, {"usergroup": c.args.get("usergroup")}) for c in slack.ws.calls]
        assert audit_outcomes(bot, rollback.id) == [
            ("offline", "approval.request", "pending"),
            (LEAD, "approval.approve", "vote:1/2"),
            (LEAD, "approval.approve", "refused:already_voted"),
            (REQUESTER, "permission_denied", "refused:approver"),
            (REQUESTER, "approval.approve", "refused:not_approver"),
            (SECOND, "approval.approve", "approved"),
            ("agentops", "action.rollback_model", "started"),
            ("agentops", "action.rollback_model", "completed"),
        ]
        assert [(a, o, d["environment"]) for a, o, d in denials(bot)] == [(REQUESTER, "refused:approver", "production")]


def test_a_deny_by_an_allowed_approver_denies_at_once(slack, tmp_path, now, store_url) -> None:  # type: ignore[no-untyped-def]
    slack.ws.usergroups["S0MLLEADS"] = [SECOND]
    with remediation_bot(slack, tmp_path, now, store_url,
                         action_policy_file=policy_file(tmp_path, TWO_APPROVERS)) as (bot, service):
        _, requests = approval_requests(bot)
        rollback = requests["rollback_model"]
        click(bot, "approve_action", rollback.id, rollback.message, LEAD)
        click(bot, "deny_action", rollback.id, rollback.message, SECOND)
        assert "🚫 Denied by <@U0SECOND>" in shown(bot, rollback.message, "Denied by")
        click(bot, "approve_action", rollback.id, rollback.message, VIEWER)
        assert "policy lets only" in told(bot, VIEWER, 1)
    assert service.calls("POST", "/model/rollback") == []
    assert bot.deps.store.approvals.get(rollback.id).status == "denied"  # type: ignore[union-attr]


def test_a_sandbox_retrain_at_an_earned_level_runs_without_a_click_and_is_audited(  # type: ignore[no-untyped-def]
        slack, tmp_path, now, store_url) -> None:
    with remediation_bot(slack, tmp_path, now, store_url,
                         action_policy_file=policy_file(tmp_path, SANDBOX)) as (bot, service):
        verified_actions(bot.deps.store, "sandbox", now)  # one verified success there: level staging
        bot.tick()
        alert_post = slack.messages(CHANNEL)[0]
        assert "environment *sandbox*" in slack.render_blocks(alert_post)
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user=REQUESTER))
        outcome = outcome_message(bot, alert_post.ts, "Retrain classifier_v2")
        texts = thread_texts(bot, alert_post.ts)
        [note] = [m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts) if m.text.startswith("🤖")]
        [request] = bot.deps.store.approvals.for_alert(bot.deps.store.alerts.firing(
            "model_drift:classifier_v2").alert_id)  # type: ignore[union-attr]
    assert outcome.text.startswith("✅ Retrain classifier_v2 done and verified")
    assert len(service.calls("POST", "/training/trigger")) == 1  # once, through the ordinary action path
    assert not [t for t in texts if t.startswith("🛂 Approval needed")]  # nobody had to click
    rendered = slack.render_blocks(note)
    assert "Running without a click: Retrain classifier_v2* in sandbox" in rendered
    assert "`sandbox.unattended[0]`" in rendered and "staging (1 verified success, 0 failures in sandbox)" in rendered
    # the rollback is not allowed in sandbox: not proposed, said in the thread, audited
    assert any("`rollback_model` on `classifier_v2`, because the sandbox policy does not allow rollback_model" in t
               for t in texts)
    assert [(a, o) for a, o, _ in denials(bot)] == [("policy", "refused:not_allowed")]
    assert (request.status, request.decided_by, request.environment, request.action_status) == (
        "approved", "policy", "sandbox", "completed")
    [decision] = [e for e in bot.deps.store.audit.entries(request.request_id) if e.action == "approval.approve"]
    assert (decision.actor, decision.outcome, decision.details["rule"], decision.details["level"]) == (
        "policy", "approved", "sandbox.unattended[0]", "staging")
    assert audit_outcomes(bot, request.request_id)[-2:] == [("agentops", "action.retrain_model", "started"),
                                                            ("agentops", "action.retrain_model", "completed")]


def test_below_the_earned_level_the_sandbox_retrain_waits_for_a_click_and_says_why(  # type: ignore[no-untyped-def]
        slack, tmp_path, now, store_url) -> None:
    with remediation_bot(slack, tmp_path, now, store_url,
                         action_policy_file=policy_file(tmp_path, SANDBOX)) as (bot, service):
        verified_actions(bot.deps.store, "sandbox", now, completed=1, failed=2)  # a failure rate of 2/3
        alert_post, requests = approval_requests(bot, count=1)
        texts = thread_texts(bot, alert_post.ts)
    assert list(requests) == ["retrain_model"] and service.calls("POST", "/training/trigger") == []
    assert any(t.startswith("🛡️ Permission: `retrain_model` on `classifier_v2`: it needs a click: "
                            "sandbox.unattended[0] runs it without a click from level staging; the bot holds "
                            "sandbox_only (1 verified success, 2 failures in sandbox)") for t in texts)
    assert sorted(o for _, o, _ in denials(bot)) == ["refused:level", "refused:not_allowed"]
