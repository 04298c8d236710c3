"""Escalation never pages for the past: an incident older than escalation itself (after an upgrade) has its
overdue steps skipped and audited, and when several steps fell due long ago at once (the job was off) only
the latest pages. PagerDuty follow-ups that failed, or whose replica died mid-send, are retried with backoff
until PagerDuty takes them, a bounded number of times."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bot.escalation.follow import FOLLOW_ATTEMPTS
from handlers.actions.ids import ACKNOWLEDGE_ALERT
from seed.slack import SlackStandIn
from seed.slack.workspace import Message
from tests.helpers.slack_bot import RunningBot
from tests.test_escalation import CHANNEL, DRIFT, escalate, notes, paging, replicas

__all__ = ["paging"]  # the fixture, shared with tests/test_escalation.py


def triggers(bot) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.details["channel"], e.outcome, e.details["detail"]) for e in
            reversed(bot.deps.store.audit.entries(subject=DRIFT)) if e.action == "escalation.trigger"]


def test_an_incident_older_than_escalation_is_not_paged_for_the_past(
        slack: SlackStandIn, tmp_path: Path, now, store_url: str, paging, shared_warehouse: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    pagerduty, mailbox = paging
    with replicas(slack, tmp_path, now, store_url, pagerduty, mailbox, shared_warehouse, count=1) as bots:
        bots[0].tick()
        post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        # posted days before this build (and its escalation job) was deployed
        assert escalate(bots, timedelta(days=3)) == []
        assert escalate(bots, timedelta(hours=1)) == []
        assert notes(slack, post) == [] and mailbox.messages == [] and pagerduty.events == []
        skipped = triggers(bots[0])
        assert [(channel, outcome) for channel, outcome, _ in skipped] == [
            ("slack", "skipped"), ("email", "skipped"), ("pagerduty", "skipped")]
        assert skipped[0][2] == "it fell due 3 days before escalation first saw this alert"


def test_steps_that_fell_due_while_the_job_was_off_page_only_the_latest_once(
        slack: SlackStandIn, tmp_path: Path, now, paging, shared_warehouse: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    pagerduty, mailbox = paging
    with replicas(slack, tmp_path, now, f"sqlite:///{tmp_path / 'state.db'}", pagerduty, mailbox,
                  shared_warehouse) as bots:
        bots[0].tick()
        slack.wait_for(lambda: slack.messages(CHANNEL))
        assert len(escalate(bots)) == 1  # the user group, at once
        subject = "post:" + bots[0].deps.store.incidents.recent()[0].incident_id
        assert escalate(bots, timedelta(hours=2)) == [f"{subject}/2"]  # PagerDuty; not the email as well
        assert mailbox.messages == [] and pagerduty.actions() == ["trigger"]
        assert escalate(bots, timedelta(hours=1)) == []
        assert triggers(bots[0])[1] == ("email", "skipped", "a later step fell due too; only the latest step is paged")


@contextmanager
def triggered_on_pagerduty(slack: SlackStandIn, tmp_path: Path, now, paging,  # type: ignore[no-untyped-def]
                           warehouse: dict[str, str]) -> Iterator[tuple[RunningBot, str, Message]]:
    """One bot whose alert post walked its chain to PagerDuty (triggered); its chain's subject and post."""
    pagerduty, mailbox = paging
    with replicas(slack, tmp_path, now, f"sqlite:///{tmp_path / 'state.db'}", pagerduty, mailbox, warehouse,
                  count=1) as bots:
        bots[0].tick()
        post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
        escalate(bots)
        escalate(bots, timedelta(minutes=30))  # the email skipped as overdue; PagerDuty triggered
        subject = "post:" + bots[0].deps.store.incidents.recent()[0].incident_id
        assert pagerduty.alerts[subject].state == "triggered"
        yield bots[0], subject, post


def test_a_failed_pagerduty_acknowledge_is_retried_with_backoff_until_it_is_taken(
        slack: SlackStandIn, tmp_path: Path, now, paging, shared_warehouse: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    pagerduty, _mailbox = paging
    with triggered_on_pagerduty(slack, tmp_path, now, paging, shared_warehouse) as (bot, subject, post):
        bots = [bot]
        slack.wait_ack(slack.click(ACKNOWLEDGE_ALERT, DRIFT, post.ts, user="U0ONCALL"))
        slack.wait_for(lambda: "Acknowledged by" in slack.render_blocks(post))
        pagerduty.fail(503, times=3)  # every attempt of one pass
        assert escalate(bots) == [f"{subject}/pagerduty:acknowledge"]
        assert pagerduty.alerts[subject].state == "triggered"
        assert escalate(bots, timedelta(seconds=30)) == []  # backing off
        assert escalate(bots, timedelta(seconds=30)) == [f"{subject}/pagerduty:acknowledge#2"]
        assert pagerduty.alerts[subject].state == "acknowledged"
        assert escalate(bots, timedelta(hours=1)) == []  # taken: not sent again
        follow = [(e.outcome, e.details["step"]) for e in reversed(bot.deps.store.audit.entries(subject=DRIFT))
                  if e.action == "escalation.acknowledge"]
        assert follow == [("failed", "pagerduty:acknowledge"), ("sent", "pagerduty:acknowledge#2")]


def test_a_resolve_whose_replica_died_is_sent_by_another_after_the_lease(
        slack: SlackStandIn, tmp_path: Path, now, paging, shared_warehouse: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    pagerduty, _mailbox = paging
    with triggered_on_pagerduty(slack, tmp_path, now, paging, shared_warehouse) as (bot, subject, _post):
        bots = [bot]
        [incident] = bot.deps.store.incidents.recent()
        assert bot.deps.store.escalations.claim(subject=subject, step="pagerduty:resolve", channel="pagerduty",
                                                fingerprint=DRIFT, replica="died-while-sending", now=bot.clock.now())
        bot.deps.store.incidents.advance(incident.incident_id, "resolved")
        assert escalate(bots) == []  # it may still be sending
        assert escalate(bots, timedelta(minutes=2, seconds=1)) == [f"{subject}/pagerduty:resolve#2"]
        assert pagerduty.alerts[subject].state == "resolved"
        assert escalate(bots, timedelta(hours=1)) == [] and bot.deps.store.escalations.paged("pagerduty", 5) == []


def test_a_resolve_pagerduty_keeps_refusing_is_tried_a_bounded_number_of_times(
        slack: SlackStandIn, tmp_path: Path, now, paging, shared_warehouse: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    pagerduty, _mailbox = paging
    with triggered_on_pagerduty(slack, tmp_path, now, paging, shared_warehouse) as (bot, subject, _post):
        bots = [bot]
        [incident] = bot.deps.store.incidents.recent()
        bot.deps.store.incidents.advance(incident.incident_id, "resolved")
        pagerduty.fail(503, times=3 * (FOLLOW_ATTEMPTS + 2))
        sent = [done for _ in range(FOLLOW_ATTEMPTS + 2) for done in escalate(bots, timedelta(minutes=10))]
        assert sent == [f"{subject}/pagerduty:resolve"] + [f"{subject}/pagerduty:resolve#{n}"
                                                            for n in range(2, FOLLOW_ATTEMPTS + 1)]
        assert bot.deps.store.escalations.paged("pagerduty", FOLLOW_ATTEMPTS) == []  # given up: not followed
