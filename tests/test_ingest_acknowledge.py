"""Ingested alerts on the on-call path: a critical one walks the escalation policy like a swept one and
its sender's resolve resolves PagerDuty; `/agentops ack`, `silence` and `unsilence` take its fingerprint
(any an alert can have, junk still refused); and a person's first Investigate click acknowledges an
alert post (time to acknowledge is post → Ack or the first Investigate click) while an
auto-investigation does not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from handlers.actions.ids import INVESTIGATE_ALERT
from seed.pagerduty import PagerDutyStandIn
from seed.slack import SlackStandIn
from tests.helpers.ingest import INGEST, alert_posts, am_alert, am_notification, post
from tests.helpers.paging import ONCALL_GROUP, Mailbox, smtp_server, write_policy
from tests.helpers.slack_bot import RunningBot, bot_running
from tests.test_escalation import DRIFT, escalate, notes

LATENCY, KEY = "HighLatency:checkout_api", '{}:{alertname="HighLatency"}'


@contextmanager
def paged_bot(slack: SlackStandIn, tmp_path: Path, now: datetime,
              **overrides: object) -> Iterator[tuple[RunningBot, PagerDutyStandIn, Mailbox]]:
    """One bot taking ingested alerts, paging by the test policy (user group, email at 15m, PagerDuty at 30m)."""
    with PagerDutyStandIn() as pagerduty, smtp_server() as mailbox, bot_running(
            slack, tmp_path / ".agentops", now, escalation_policy_file=write_policy(tmp_path),
            smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_starttls=False,
            pagerduty_events_url=pagerduty.events_url, pagerduty_routing_key=pagerduty.routing_key,
            **INGEST | overrides) as bot:
        yield bot, pagerduty, mailbox


def ingest_latency(bot: RunningBot, status: str = "firing") -> None:
    alert = am_alert("HighLatency", model="checkout_api", status=status)
    answer = post(bot, am_notification(alert, group_key=KEY))
    assert answer.status_code == 200, answer.text


def answers(slack: SlackStandIn, count: int, user: str = "U0ONCALL") -> list:
    return slack.wait_for(lambda: len(e := slack.ephemerals(user)) >= count and e)


def diagnoses(slack: SlackStandIn, posted) -> list:  # type: ignore[no-untyped-def]
    return [m for m in notes(slack, posted) if m.text.startswith("Diagnosis for")]


def test_an_ingested_critical_alert_walks_the_policy_and_its_resolve_resolves_pagerduty(
        slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    with paged_bot(slack, tmp_path, now) as (bot, pagerduty, mailbox):
        ingest_latency(bot)
        [posted] = alert_posts(slack)
        assert len(escalate([bot])) == 1
        [note] = slack.wait_for(lambda: notes(slack, posted))
        assert note.text == f"🚨 <!subteam^{ONCALL_GROUP}> CRITICAL `checkout_api`: posted, not yet acknowledged."
        assert len(escalate([bot], timedelta(minutes=15))) == 1
        assert [m["To"] for m in mailbox.messages] == ["lead@example.com"]
        assert len(escalate([bot], timedelta(minutes=15))) == 1
        subject = "post:" + bot.deps.store.incidents.recent()[0].incident_id  # one PagerDuty alert per chain
        assert pagerduty.actions() == ["trigger"] and pagerduty.events[0]["dedup_key"] == subject

        ingest_latency(bot, "resolved")  # the sender says it is over
        slack.wait_for(lambda: "RESOLVED" in slack.render_blocks(posted))
        escalate([bot], timedelta(minutes=1))
        assert pagerduty.actions() == ["trigger", "resolve"] and pagerduty.alerts[subject].state == "resolved"
        assert escalate([bot], timedelta(hours=1)) == []


def test_ack_silence_and_unsilence_take_an_ingested_fingerprint(slack: SlackStandIn, tmp_path: Path,
                                                                now: datetime) -> None:
    with paged_bot(slack, tmp_path, now) as (bot, pagerduty, mailbox):
        ingest_latency(bot)
        [posted] = alert_posts(slack)
        slack.wait_ack(slack.slash_command(f"ack {LATENCY}"))
        assert answers(slack, 1)[0].text.startswith(f"You acknowledged `{LATENCY}`")
        shown = slack.wait_for(lambda: "Acknowledged by" in (text := slack.render_blocks(posted)) and text)
        assert "✋ Acknowledged by <@U0ONCALL>" in shown and "[Acknowledge]" not in shown
        assert escalate([bot], timedelta(hours=1)) == [] and pagerduty.events == [] and mailbox.messages == []

        slack.wait_ack(slack.slash_command(f"silence {LATENCY} 4h deploy in progress"))
        said = slack.wait_for(lambda: [m for m in notes(slack, posted) if f"silenced `{LATENCY}`" in m.text])
        assert "deploy in progress" in said[0].text and answers(slack, 2)[1].text.startswith("You silenced")
        assert bot.deps.store.silences.active(LATENCY, bot.clock.now()).created_by == "U0ONCALL"
        slack.wait_ack(slack.slash_command(f"unsilence {LATENCY}"))
        assert answers(slack, 3)[2].text.startswith(f"You lifted the silence on `{LATENCY}`.")
        assert bot.deps.store.silences.active(LATENCY, bot.clock.now()) is None
        actions = sorted(e.action for e in bot.deps.store.audit.entries(subject=LATENCY) if e.actor == "U0ONCALL")
        assert actions == ["alert.acknowledge", "silence.add", "silence.remove"]


def test_a_fingerprint_with_a_space_is_given_between_backticks(slack: SlackStandIn, tmp_path: Path,
                                                               now: datetime) -> None:
    with paged_bot(slack, tmp_path, now) as (bot, _, _):
        answer = post(bot, am_notification(am_alert("HighLatency", model="fraud scorer"), group_key=KEY))
        assert answer.json()["firing"] == ["HighLatency:fraud scorer"]
        slack.wait_ack(slack.slash_command("silence `HighLatency:fraud scorer` 2h while we look"))
        assert answers(slack, 1)[0].text.startswith("You silenced `HighLatency:fraud scorer` for 2 hours")
        slack.wait_ack(slack.slash_command("ack `HighLatency:fraud scorer`"))
        assert answers(slack, 2)[1].text.startswith("You acknowledged `HighLatency:fraud scorer`")
        slack.wait_ack(slack.slash_command("ack HighLatency:fraud scorer"))  # without them: two words
        assert answers(slack, 3)[2].text.startswith("Give one fingerprint")


@pytest.mark.parametrize(("args", "problem"), [
    ("ack HighLatency", "`HighLatency` is not a fingerprint"),
    ("ack " + "A" * 41 + ":checkout_api", "is not a fingerprint"),  # longer than any ingested alert type
    ("unsilence :checkout_api", "`:checkout_api` is not a fingerprint"),
    ("silence HighLatency: 4h", "`HighLatency:` is not a fingerprint"),
    ("silence HighLatency:" + "x" * 101 + " 4h", "is not a fingerprint"),  # longer than any component
    ("ack HighLatency:nobody", "`HighLatency:nobody` is not firing (unknown, or already resolved)"),
    ("unsilence HighLatency:nobody", "`HighLatency:nobody` is not silenced."),
])
def test_junk_fingerprints_are_refused_and_unknown_ones_said_to_be(running_bot: RunningBot, args: str,
                                                                   problem: str) -> None:
    running_bot.slack.wait_ack(running_bot.slack.slash_command(args))
    [answer] = answers(running_bot.slack, 1)
    assert problem in answer.text
    assert running_bot.deps.store.silences.list_active(running_bot.clock.now()) == []


def test_the_first_investigate_click_acknowledges_and_stops_the_escalation(slack: SlackStandIn, tmp_path: Path,
                                                                          now: datetime) -> None:
    with paged_bot(slack, tmp_path, now) as (bot, pagerduty, mailbox):
        bot.tick()
        post_ = slack.wait_for(lambda: alert_posts(slack))[0]
        assert len(escalate([bot])) == 1  # the user group, at once
        bot.clock.advance(timedelta(minutes=5))
        slack.wait_ack(slack.click(INVESTIGATE_ALERT, DRIFT, post_.ts, user="U0APPROVER"))
        shown = slack.wait_for(lambda: "Acknowledged by" in (text := slack.render_blocks(post_)) and text)
        assert "✋ Acknowledged by <@U0APPROVER>" in shown and "[Acknowledge]" not in shown
        slack.wait_for(lambda: diagnoses(slack, post_), timeout=60)
        assert escalate([bot], timedelta(hours=1)) == [] and mailbox.messages == [] and pagerduty.events == []
        [stored] = [a for a in bot.deps.store.alerts.list_firing() if a.fingerprint == DRIFT]
        assert (stored.acked_by, stored.acked_at) == ("U0APPROVER", now + timedelta(minutes=5))
        slack.wait_ack(slack.click(INVESTIGATE_ALERT, DRIFT, post_.ts, user="U0ONCALL"))  # a later look
        slack.wait_for(lambda: len(diagnoses(slack, post_)) == 2, timeout=60)  # investigated again, not acknowledged
        entries = [e for e in bot.deps.store.audit.entries(subject=DRIFT) if e.action == "alert.acknowledge"]
        assert [(e.actor, e.outcome, e.details["via"], e.details["time_to_ack_sec"]) for e in entries] == [
            ("U0APPROVER", "acknowledged", "investigate", 300.0)]


def test_an_auto_investigation_does_not_acknowledge(slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    with paged_bot(slack, tmp_path, now, auto_investigate="all") as (bot, _, mailbox):
        ingest_latency(bot)
        [posted] = alert_posts(slack)
        [diagnosis] = slack.wait_for(lambda: diagnoses(slack, posted), timeout=60)
        assert "Not checked: checkout_api is not a model or pipeline" in slack.render_blocks(diagnosis)
        assert "Acknowledged by" not in slack.render_blocks(posted) and "[Acknowledge]" in slack.render_blocks(posted)
        [stored] = bot.deps.store.alerts.list_firing("ingest")
        assert stored.acked_by is None
        incident = bot.deps.store.incidents.for_alert(stored.alert_id)
        assert incident is not None
        # the post's chain still pages (the diagnosis advising "escalate" may start the escalated one beside it)
        assert f"post:{incident.incident_id}/0" in escalate([bot])
        assert f"post:{incident.incident_id}/1" in escalate([bot], timedelta(minutes=15))
        assert "lead@example.com" in [m["To"] for m in mailbox.messages]
