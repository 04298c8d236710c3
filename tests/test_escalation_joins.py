"""An alert joining an alert post that was already acknowledged: one of the post's severity or lower is
covered by that acknowledgement, but a more severe one (a critical alert in a warning post) pages along
its own severity's route from when it joined, until someone acknowledges the post again."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from handlers.actions.ids import ACKNOWLEDGE_ALERT
from seed.pagerduty import PagerDutyStandIn
from seed.slack import SlackStandIn
from seed.webhook import WebhookReceiver
from tests.helpers.ingest import INGEST, alert_posts, am_alert, am_notification, post
from tests.helpers.paging import write_policy
from tests.helpers.slack_bot import RunningBot, bot_running

GROUP = '{}:{model="fraud_scorer"}'
POLICY = """
routes:
  - severity: warning
    steps:
      - {after: 0m, channel: webhook}
  - severity: critical
    steps:
      - {after: 0m, channel: webhook}
      - {after: 10m, channel: pagerduty}
"""


def escalate(bot: RunningBot, advance: timedelta = timedelta(0)) -> list[str]:
    bot.clock.advance(advance)
    return bot.thread.call(bot.thread.bot.escalate())


def acknowledge(bot: RunningBot, fingerprint: str, ts: str, user: str) -> str:
    slack = bot.slack
    slack.wait_ack(slack.click(ACKNOWLEDGE_ALERT, fingerprint, ts, user=user))
    entries = lambda: [e for e in bot.deps.store.audit.entries(subject=fingerprint)  # noqa: E731
                       if e.action == "alert.acknowledge" and e.actor == user]
    return slack.wait_for(entries)[0].outcome


def test_a_critical_alert_joining_an_acknowledged_warning_post_pages_by_the_critical_route(
        slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    with WebhookReceiver() as receiver, PagerDutyStandIn() as pagerduty, bot_running(
            slack, tmp_path / ".agentops", now, escalation_policy_file=write_policy(tmp_path, POLICY),
            escalation_interval_sec=0, escalation_webhook_url=receiver.hook_url,
            escalation_webhook_secret=receiver.secret, pagerduty_events_url=pagerduty.events_url,
            pagerduty_routing_key=pagerduty.routing_key, **INGEST) as bot:
        warning = am_alert("F1Low", severity="warning")
        assert post(bot, am_notification(warning, group_key=GROUP)).status_code == 200
        [posted] = alert_posts(slack)
        [incident] = bot.deps.store.incidents.recent()
        assert escalate(bot) == [f"post:{incident.incident_id}/0"]  # the warning route
        assert acknowledge(bot, "F1Low:fraud_scorer", posted.ts, "U0ONCALL") == "acknowledged"

        # a second warning joins: the acknowledgement covers it
        latency = am_alert("LatencyHigh", severity="warning")
        assert post(bot, am_notification(warning, latency, group_key=GROUP)).status_code == 200
        slack.wait_for(lambda: len(bot.deps.store.alerts.sharing_post(posted.channel, posted.ts)) == 2)
        assert escalate(bot, timedelta(minutes=5)) == []

        # a critical one joins 20 minutes after the post: its route runs from the join, step by step
        bot.clock.advance(timedelta(minutes=15))
        drift = am_alert("ModelDriftHigh", severity="page")
        assert post(bot, am_notification(warning, latency, drift, group_key=GROUP)).status_code == 200
        slack.wait_for(lambda: len(bot.deps.store.alerts.sharing_post(posted.channel, posted.ts)) == 3)
        raised = f"post:{incident.incident_id}:critical"
        assert escalate(bot) == [f"{raised}/0"]
        assert receiver.deliveries[f"{raised}/0"]["why"] == "a critical alert joined the post"
        assert escalate(bot, timedelta(minutes=9)) == []
        assert escalate(bot, timedelta(minutes=1)) == [f"{raised}/1"]
        assert pagerduty.alerts[raised].state == "triggered"

        # acknowledging again is not "already acknowledged": it takes the critical alert, and PagerDuty follows
        assert acknowledge(bot, "ModelDriftHigh:fraud_scorer", posted.ts, "U0LEAD") == "acknowledged"
        assert escalate(bot) == [f"{raised}/pagerduty:acknowledge"]
        assert pagerduty.alerts[raised].state == "acknowledged"
        assert escalate(bot, timedelta(hours=1)) == []

        # the critical alert resolves while the warnings fire: its PagerDuty alert is resolved
        assert post(bot, am_notification(am_alert("ModelDriftHigh", severity="page", status="resolved"),
                                          group_key=GROUP)).status_code == 200
        slack.wait_for(lambda: bot.deps.store.alerts.firing("ModelDriftHigh:fraud_scorer") is None)
        assert escalate(bot) == [f"{raised}/pagerduty:resolve"]
        assert pagerduty.alerts[raised].state == "resolved"
