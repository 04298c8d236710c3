"""An unacknowledged critical alert walks its escalation policy on an injected clock — the Slack user group
at once, email to the lead after 15 minutes, PagerDuty after 30 — each step once although two replicas run
the job on one store; Acknowledge stops the chain and acknowledges PagerDuty; resolving resolves it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import naive_utc
from bot.config import load_settings
from bot.warehouse import open_warehouse
from handlers.actions.ids import ACKNOWLEDGE_ALERT
from seed.loader import seed
from seed.pagerduty import PagerDutyStandIn
from seed.slack import SlackStandIn
from seed.slack.render import render_channel
from tests.helpers.paging import ONCALL_GROUP, Mailbox, smtp_server, write_policy
from tests.helpers.slack_bot import RunningBot, bot_running

CHANNEL, DRIFT = "C0MLALERTS", "model_drift:classifier_v2"


@contextmanager
def replicas(slack: SlackStandIn, tmp_path: Path, now, store_url: str, pagerduty: PagerDutyStandIn,  # type: ignore[no-untyped-def]
             mailbox: Mailbox, warehouse: dict[str, str], count: int = 2) -> Iterator[list[RunningBot]]:
    """`count` bots on one state store and one served warehouse (seeded with the drift scenario at `now`),
    paging by the test policy; the tests sweep with the first only."""
    snowflake = {k.lower(): v for k, v in warehouse.items()}
    with open_warehouse(load_settings(**snowflake)) as served:
        seed(served, "drift", naive_utc(now), reset=True)
    settings = dict(database_url=store_url, escalation_policy_file=write_policy(tmp_path), escalation_interval_sec=0,
                    smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_starttls=False,
                    pagerduty_events_url=pagerduty.events_url, pagerduty_routing_key=pagerduty.routing_key,
                    **snowflake)
    with ExitStack() as stack:
        yield [stack.enter_context(bot_running(slack, tmp_path / f"replica{n}", now, **settings))
               for n in range(count)]


def escalate(bots: list[RunningBot], advance: timedelta = timedelta(0)) -> list[str]:
    """Move every replica's clock, then run the escalation job on each, one after the other."""
    for bot in bots:
        bot.clock.advance(advance)
    return [done for bot in bots for done in bot.thread.call(bot.thread.bot.escalate())]


def notes(slack: SlackStandIn, post) -> list:  # type: ignore[no-untyped-def]
    return slack.messages(CHANNEL, thread_ts=post.ts)


@pytest.fixture
def paging() -> Iterator[tuple[PagerDutyStandIn, Mailbox]]:
    with PagerDutyStandIn() as pagerduty, smtp_server() as mailbox:
        yield pagerduty, mailbox


def test_an_unacknowledged_critical_alert_walks_the_steps_once_until_acknowledged_and_resolved(
        slack: SlackStandIn, tmp_path: Path, now, store_url: str, paging,  # type: ignore[no-untyped-def]
        shared_warehouse: dict[str, str]) -> None:
    pagerduty, mailbox = paging
    with replicas(slack, tmp_path, now, store_url, pagerduty, mailbox, shared_warehouse) as bots:
        bots[0].tick()
        post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        assert "Acknowledge" in slack.render_blocks(post)

        assert len(escalate(bots)) == 1  # at once: the user group, in the alert's thread
        [note] = slack.wait_for(lambda: notes(slack, post))
        assert note.text == f"🚨 <!subteam^{ONCALL_GROUP}> CRITICAL `classifier_v2`: posted, not yet acknowledged."
        assert escalate(bots, timedelta(minutes=14)) == [] and mailbox.messages == []

        assert len(escalate(bots, timedelta(minutes=1))) == 1  # 15 minutes: the lead by email
        [mail] = mailbox.messages
        assert mail["To"] == "lead@example.com" and "unacknowledged for 15 minutes" in mail["Subject"]
        assert f"archives/{CHANNEL}/p{post.ts.replace('.', '')}" in mail.get_body(("plain",)).get_content()

        assert len(escalate(bots, timedelta(minutes=15))) == 1  # 30 minutes: PagerDuty
        subject = "post:" + bots[0].deps.store.incidents.recent()[0].incident_id  # one PagerDuty alert per chain
        assert pagerduty.actions() == ["trigger"] and pagerduty.events[0]["dedup_key"] == subject
        assert escalate(bots, timedelta(minutes=30)) == []  # nothing more in the policy, nothing twice

        slack.wait_ack(slack.click(ACKNOWLEDGE_ALERT, DRIFT, post.ts, user="U0ONCALL"))
        shown = slack.wait_for(lambda: "Acknowledged by" in (text := slack.render_blocks(post)) and text)
        assert "✋ Acknowledged by <@U0ONCALL>" in shown and "[Acknowledge]" not in shown
        assert escalate(bots) == [f"{subject}/pagerduty:acknowledge"]
        assert pagerduty.actions() == ["trigger", "acknowledge"]

        seed(bots[0].deps.warehouse, "healthy", naive_utc(bots[0].clock.now()), reset=True)
        bots[0].tick(timedelta(minutes=1))
        escalate(bots, timedelta(minutes=1))
        assert pagerduty.actions() == ["trigger", "acknowledge", "resolve"]
        assert pagerduty.alerts[subject].state == "resolved"
        assert len(notes(slack, post)) >= 1 and len(mailbox.messages) == 1
        pages = [e for e in bots[0].deps.store.audit.entries(subject=DRIFT) if e.action.startswith("escalation.")]
        assert sorted((e.action, e.details["channel"], e.outcome) for e in pages) == [
            ("escalation.acknowledge", "pagerduty", "sent"), ("escalation.resolve", "pagerduty", "sent"),
            ("escalation.trigger", "email", "sent"), ("escalation.trigger", "pagerduty", "sent"),
            ("escalation.trigger", "slack", "sent")]
        print(render_channel(slack.ws, CHANNEL))


def test_acknowledging_before_a_step_stops_the_chain_there(slack: SlackStandIn, tmp_path: Path, now,  # type: ignore[no-untyped-def]
                                                           paging, shared_warehouse: dict[str, str]) -> None:
    pagerduty, mailbox = paging
    with replicas(slack, tmp_path, now, f"sqlite:///{tmp_path / 'state.db'}", pagerduty, mailbox,
                  shared_warehouse) as bots:
        bots[0].tick()
        post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        escalate(bots)
        bots[0].clock.advance(timedelta(minutes=20))
        bots[1].clock.advance(timedelta(minutes=20))
        slack.wait_ack(slack.slash_command(f"ack {DRIFT}", user="U0APPROVER"))
        answer = slack.wait_for(lambda: slack.ephemerals("U0APPROVER"))[0]
        assert answer.text == f"You acknowledged `{DRIFT}` 20 minutes after it was posted; its escalation stops. " \
                              "Resolve it, or it stays on you."
        assert escalate(bots, timedelta(hours=2)) == []  # neither the email (due at 15m, unsent) nor PagerDuty
        assert mailbox.messages == [] and pagerduty.events == []
        [stored] = [a for a in bots[1].deps.store.alerts.list_firing() if a.fingerprint == DRIFT]
        assert stored.acked_by == "U0APPROVER" and stored.acked_at == now + timedelta(minutes=20)
        [entry] = [e for e in bots[0].deps.store.audit.entries(subject=DRIFT) if e.action == "alert.acknowledge"]
        assert (entry.actor, entry.outcome, entry.details["time_to_ack_sec"]) == ("U0APPROVER", "acknowledged",
                                                                                  1200.0)
        assert len(notes(slack, post)) == 1
        histograms = "".join(bot.deps.metrics.render().decode() for bot in bots)
        assert "agentops_time_to_acknowledge_seconds_sum 1200.0" in histograms


def test_a_second_acknowledgement_is_told_who_was_first_and_unknown_ones_are_refused_clearly(
        running_bot: RunningBot) -> None:
    slack = running_bot.slack
    running_bot.tick()
    post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
    slack.wait_ack(slack.click(ACKNOWLEDGE_ALERT, DRIFT, post.ts, user="U0ONCALL"))
    slack.wait_for(lambda: "Acknowledged by" in slack.render_blocks(post))
    slack.wait_ack(slack.click(ACKNOWLEDGE_ALERT, "accuracy_drop:classifier_v2", post.ts, user="U0APPROVER"))
    [late] = slack.wait_for(lambda: slack.ephemerals("U0APPROVER"))
    assert late.text.startswith("`accuracy_drop:classifier_v2` was already acknowledged by <@U0ONCALL> <!date^")
    slack.wait_ack(slack.slash_command("ack latency:nobody", user="U0APPROVER"))
    unknown = slack.wait_for(lambda: len(e := slack.ephemerals("U0APPROVER")) >= 2 and e)[1]
    assert unknown.text.startswith("`latency:nobody` is not firing (unknown, or already resolved)")
    slack.wait_ack(slack.slash_command("ack", user="U0APPROVER"))
    usage = slack.wait_for(lambda: len(e := slack.ephemerals("U0APPROVER")) >= 3 and e)[2]
    assert usage.text.startswith("Give one fingerprint, e.g. `/agentops ack model_drift:classifier_v2`.")
    outcomes = [e.outcome for e in running_bot.deps.store.audit.entries() if e.action == "alert.acknowledge"]
    assert sorted(outcomes) == ["acknowledged", "already_acknowledged", "not_firing"]
