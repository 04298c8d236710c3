"""Escalation when channels fail: each step is still tried once, its failure audited with the reason, and
the chain goes on to the next step; an escalated incident starts a chain of its own that a new
acknowledgement stops."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from handlers.actions.ids import ACKNOWLEDGE_ALERT
from seed.pagerduty import PagerDutyStandIn
from seed.slack import SlackStandIn
from seed.webhook import WebhookReceiver
from tests.helpers.paging import write_policy
from tests.helpers.slack_bot import RunningBot, bot_running, free_port

CHANNEL, DRIFT = "C0MLALERTS", "model_drift:classifier_v2"
POLICY = """
routes:
  - severity: critical
    steps:
      - {after: 0m, channel: webhook}
      - {after: 5m, channel: email, to: [lead@example.com]}
      - {after: 10m, channel: pagerduty}
      - {after: 15m, channel: slack, mention: [U0LEAD]}
"""


@contextmanager
def failing_channels(slack: SlackStandIn, tmp_path: Path, now) -> Iterator[  # type: ignore[no-untyped-def]
        tuple[RunningBot, WebhookReceiver, PagerDutyStandIn]]:
    with WebhookReceiver() as receiver, PagerDutyStandIn() as pagerduty, bot_running(
            slack, tmp_path / ".agentops", now, escalation_policy_file=write_policy(tmp_path, POLICY),
            escalation_interval_sec=0, escalation_webhook_url=receiver.hook_url,
            escalation_webhook_secret=receiver.secret, smtp_host="127.0.0.1", smtp_port=free_port(),
            smtp_starttls=False, pagerduty_events_url=pagerduty.events_url,
            pagerduty_routing_key="R0UTINGKEYNOTPAGERDUTYS", paging_timeout_sec=2) as bot:
        yield bot, receiver, pagerduty


def escalate(bot: RunningBot, advance: timedelta = timedelta(0)) -> list[str]:
    bot.clock.advance(advance)
    return bot.thread.call(bot.thread.bot.escalate())


def outcomes(bot: RunningBot) -> list[tuple[str, str, str]]:
    return [(e.details["channel"], e.outcome, e.details["detail"]) for e in
            reversed(bot.deps.store.audit.entries(subject=DRIFT)) if e.action == "escalation.trigger"]


def test_failing_channels_are_tried_once_audited_and_the_chain_goes_on(slack: SlackStandIn, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                       now) -> None:
    with failing_channels(slack, tmp_path, now) as (bot, receiver, pagerduty):
        bot.tick()
        post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        receiver.fail(500)
        assert len(escalate(bot)) == 1  # webhook: 500, then 200 on the retry
        assert receiver.attempts == 2 and len(receiver.deliveries) == 1
        assert len(escalate(bot, timedelta(minutes=5))) == 1  # email: the SMTP server is down
        assert len(escalate(bot, timedelta(minutes=5))) == 1  # PagerDuty: 400, an unknown routing key
        slack.fail("chat.postMessage")
        assert len(escalate(bot, timedelta(minutes=5))) == 1  # Slack refuses the note
        assert escalate(bot, timedelta(hours=1)) == []  # nothing is paged twice, failed or not
        (webhook, email, pd, note) = outcomes(bot)
        assert webhook == ("webhook", "sent", "HTTP 200")
        assert email[:2] == ("email", "failed") and "email not sent after 3 attempts" in email[2]
        assert pd[:2] == ("pagerduty", "failed") and "routing_key' is invalid" in pd[2]
        assert "R0UTINGKEYNOTPAGERDUTYS" not in pd[2]  # the routing key is a secret: redacted
        assert note == ("slack", "failed", "Slack refused the note (channel_not_found)")
        assert pagerduty.events == [] and slack.messages(CHANNEL, thread_ts=post.ts) == []
        [row] = [s for s in bot.deps.store.escalations.steps(f"post:{bot.deps.store.incidents.recent()[0].incident_id}")
                 if s.channel == "email"]
        assert row.outcome == "failed" and row.claimed_by == bot.thread.bot.monitor.notifier.replica


def test_an_escalated_incident_pages_again_and_a_new_acknowledgement_stops_it(slack: SlackStandIn, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                             now) -> None:
    with failing_channels(slack, tmp_path, now) as (bot, receiver, _pagerduty):
        bot.tick()
        post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        escalate(bot)
        slack.wait_ack(slack.click(ACKNOWLEDGE_ALERT, DRIFT, post.ts, user="U0ONCALL"))
        slack.wait_for(lambda: "Acknowledged by" in slack.render_blocks(post))
        assert escalate(bot, timedelta(minutes=30)) == []
        # every approval request was denied: the incident is escalated to people
        [incident] = bot.deps.store.incidents.recent()
        assert bot.deps.store.incidents.advance(incident.incident_id, "escalated")
        assert escalate(bot, timedelta(minutes=1)) == [f"escalated:{incident.incident_id}/0"]
        second = [d for k, d in receiver.deliveries.items() if k.startswith("escalated:")]
        assert [d["why"] for d in second] == [
            "escalated to people (an action failed, or every request was denied or expired)"]
        bot.clock.advance(timedelta(minutes=2))
        slack.wait_ack(slack.slash_command(f"ack {DRIFT}", user="U0APPROVER"))
        answer = slack.wait_for(lambda: slack.ephemerals("U0APPROVER"))[0]
        assert answer.text.startswith(f"You acknowledged `{DRIFT}`")
        assert escalate(bot, timedelta(hours=1)) == []  # the escalated chain stopped too
        shown = slack.render_blocks(slack.messages(CHANNEL)[0])
        assert "✋ Acknowledged by <@U0APPROVER>" in shown


def test_a_step_claimed_by_a_replica_that_died_is_paged_by_another_after_the_lease(  # type: ignore[no-untyped-def]
        slack: SlackStandIn, tmp_path: Path, now) -> None:
    with failing_channels(slack, tmp_path, now) as (bot, receiver, _pagerduty):
        bot.tick()
        slack.wait_for(lambda: slack.messages(CHANNEL))
        [incident] = bot.deps.store.incidents.recent()
        subject = f"post:{incident.incident_id}"
        assert bot.deps.store.escalations.claim(subject=subject, step="0", channel="webhook", fingerprint=DRIFT,
                                                replica="died-before-paging", now=now)
        assert escalate(bot) == [] and receiver.deliveries == {}  # a live replica may still be paging
        assert escalate(bot, timedelta(minutes=2, seconds=1)) == [f"{subject}/0"]
        assert list(receiver.deliveries) == [f"{subject}/0"]
        [row] = [r for r in bot.deps.store.escalations.steps(subject) if r.step == "0"]
        assert (row.outcome, row.claimed_by) == ("sent", bot.thread.bot.monitor.notifier.replica)
        metrics = bot.deps.metrics.render().decode()
        assert 'agentops_escalation_pages_total{channel="webhook",event="trigger",outcome="sent"} 1.0' in metrics


def test_the_escalation_job_is_scheduled_on_its_interval(slack: SlackStandIn, tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with bot_running(slack, tmp_path / ".agentops", now, escalation_interval_sec=30) as bot:
        jobs = {job.name: job for job in bot.thread.bot.scheduler.get_jobs()}
        assert jobs["Bot.escalate"].trigger.interval == timedelta(seconds=30)


def test_a_component_outside_the_routed_environment_is_not_paged(slack: SlackStandIn, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 now) -> None:
    sandboxed = "environments: {components: {classifier_v2: sandbox}}\n" + POLICY.replace(
        "severity: critical", "severity: critical\n    environment: production")
    with WebhookReceiver() as receiver, bot_running(
            slack, tmp_path / ".agentops", now, escalation_policy_file=write_policy(tmp_path, sandboxed),
            escalation_webhook_url=receiver.hook_url, escalation_webhook_secret=receiver.secret) as bot:
        bot.tick()
        slack.wait_for(lambda: slack.messages(CHANNEL))
        assert escalate(bot) == [] and escalate(bot, timedelta(hours=2)) == []
        assert receiver.attempts == 0
