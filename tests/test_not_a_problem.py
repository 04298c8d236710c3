"""[Not a problem] on an alert post, clicked through the real Bolt app on the Slack stand-in: the post is
marked a false positive once (who and when, on every alert of the post), acknowledged so its escalation
stops, audited, and redrawn; a later click is told who was first; two replicas racing mark it once. A post
that cleared by itself keeps the button (found by the post, not by a firing alert), and an alert joining a
marked post is marked with it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.analytics.stats import compute
from bot.store import Store, open_store
from handlers.actions.ids import NOT_A_PROBLEM
from tests.helpers.ingest import INGEST, alert_posts, am_alert, am_notification, post
from tests.helpers.slack_bot import RunningBot, bot_running

CHANNEL, DRIFT, ACCURACY = "C0MLALERTS", "model_drift:classifier_v2", "accuracy_drop:classifier_v2"


def test_the_first_click_marks_the_post_acknowledges_it_and_stops_its_escalation(running_bot: RunningBot) -> None:
    slack, store = running_bot.slack, running_bot.deps.store
    running_bot.tick()
    post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
    assert slack.render_blocks(post).count("[Not a problem]") == 2  # one per alert of the post
    running_bot.clock.advance(timedelta(minutes=3))

    slack.wait_ack(slack.click(NOT_A_PROBLEM, DRIFT, post.ts, user="U0ONCALL"))
    shown = slack.wait_for(lambda: "Marked not a problem" in (text := slack.render_blocks(post)) and text)
    print(shown)
    assert "🙅 Marked not a problem by <@U0ONCALL> 2026-11-21 12:03 UTC" in shown
    assert "✋ Acknowledged by <@U0ONCALL>" in shown
    assert "[Not a problem]" not in shown and "[Acknowledge]" not in shown and "[Investigate]" in shown
    [answer] = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))
    assert answer.text.startswith(f"You marked `{DRIFT}` not a problem: it counts as a false positive")

    marked = [a for a in store.alerts.list_firing() if a.component == "classifier_v2"]
    assert {(a.not_problem_by, a.not_problem_at) for a in marked} == {("U0ONCALL", running_bot.clock.now())}
    assert {a.acked_by for a in marked} == {"U0ONCALL"}
    # the chain is stopped: the default policy's 15-minute reminder never comes
    running_bot.clock.advance(timedelta(minutes=20))
    assert running_bot.thread.call(running_bot.thread.bot.escalate()) == []
    assert slack.messages(CHANNEL, thread_ts=post.ts) == []

    slack.wait_ack(slack.click(NOT_A_PROBLEM, ACCURACY, post.ts, user="U0APPROVER"))
    [late] = slack.wait_for(lambda: slack.ephemerals("U0APPROVER"))
    assert late.text.startswith(f"`{ACCURACY}` was already marked not a problem by <@U0ONCALL> <!date^")
    slack.wait_ack(slack.click(NOT_A_PROBLEM, "latency:nobody", post.ts, user="U0APPROVER"))
    unknown = slack.wait_for(lambda: len(e := slack.ephemerals("U0APPROVER")) >= 2 and e)[1]
    assert unknown.text.startswith("`latency:nobody` is not firing (unknown, or already resolved)")

    entries = [e for e in store.audit.entries() if e.action == "alert.not_a_problem"]
    assert sorted((e.actor, e.outcome) for e in entries) == [
        ("U0APPROVER", "already_marked"), ("U0APPROVER", "not_firing"), ("U0ONCALL", "marked")]
    acks = [e for e in store.audit.entries() if e.action == "alert.acknowledge"]
    assert [(e.actor, e.outcome, e.details["via"]) for e in acks] == [("U0ONCALL", "acknowledged", "not_a_problem")]


def test_replicas_racing_mark_a_post_exactly_once(store_url: str, now) -> None:  # type: ignore[no-untyped-def]
    first = open_store(store_url)
    lead = first.alerts.open(fingerprint=DRIFT, alert_type="model_drift", severity="critical",
                             component="classifier_v2", message="drift", metrics={}, now=now)
    other = first.alerts.open(fingerprint=ACCURACY, alert_type="accuracy_drop", severity="critical",
                              component="classifier_v2", message="f1", metrics={}, now=now)
    assert lead is not None and other is not None
    stores = [first] + [open_store(store_url) for _ in range(3)]
    barrier, won = threading.Barrier(len(stores)), []

    def click(store: Store, user: str) -> None:
        barrier.wait()
        won.append((user, store.alerts.mark_not_problem([lead.alert_id, other.alert_id], user, now)))

    threads = [threading.Thread(target=click, args=(s, f"U0REPLICA{n}")) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        winners = [user for user, did in won if did]
        assert len(won) == 4 and len(winners) == 1
        assert {first.alerts.get(a).not_problem_by for a in (lead.alert_id, other.alert_id)} == set(winners)  # type: ignore[union-attr]
    finally:
        for s in stores:
            s.close()


@pytest.mark.parametrize("value", ["", "x" * 300])
def test_a_malformed_click_is_refused_and_audited(running_bot: RunningBot, value: str) -> None:
    slack = running_bot.slack
    running_bot.tick()
    post = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
    slack.wait_ack(slack.click(NOT_A_PROBLEM, value, post.ts, user="U0ONCALL"))
    slack.wait_for(lambda: [e for e in running_bot.deps.store.audit.entries() if e.action == "alert.not_a_problem"])
    assert all(a.not_problem_at is None for a in running_bot.deps.store.alerts.list_firing())


def test_a_post_that_cleared_by_itself_can_still_be_marked(slack, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    # a flapping false positive: it fired and cleared before anyone looked
    key = '{}:{alertname="HighLatency"}'
    with bot_running(slack, tmp_path / ".agentops", now, **INGEST) as bot:
        for status in ("firing", "resolved"):
            answer = post(bot, am_notification(am_alert("HighLatency", model="checkout_api", status=status),
                                               group_key=key))
            assert answer.status_code == 200, answer.text
        [posted] = alert_posts(slack)
        shown = slack.wait_for(lambda: "RESOLVED" in (text := slack.render_blocks(posted)) and text)
        print(shown)
        assert "[Not a problem]" in shown and "[Acknowledge]" not in shown
        [alert] = bot.deps.store.alerts.sharing_post(posted.channel, posted.ts)
        assert alert.status == "resolved"

        slack.wait_ack(slack.click(NOT_A_PROBLEM, alert.fingerprint, posted.ts, user="U0ONCALL"))
        marked = slack.wait_for(lambda: "Marked not a problem" in (text := slack.render_blocks(posted)) and text)
        print(marked)
        assert "🙅 Marked not a problem by <@U0ONCALL>" in marked and "[Not a problem]" not in marked
        [stored] = bot.deps.store.alerts.sharing_post(posted.channel, posted.ts)
        assert (stored.not_problem_by, stored.not_problem_at) == ("U0ONCALL", bot.clock.now())
        # the window ends before `now` (exclusive): a second on, the post counts
        report = compute(bot.deps.store, now=bot.clock.now() + timedelta(seconds=1))
        assert (report.alerts, report.false_positive_rate) == (1, 1.0)


def test_an_alert_joining_a_marked_post_is_marked_too(store_url: str, now) -> None:  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    try:
        lead = store.alerts.open(fingerprint=DRIFT, alert_type="model_drift", severity="critical",
                                 component="classifier_v2", message="drift", metrics={}, now=now)
        assert lead is not None
        store.alerts.record_post([lead.alert_id], CHANNEL, "1.000001", now)
        assert store.alerts.mark_not_problem([lead.alert_id], "U0ONCALL", now)
        later = store.alerts.open(fingerprint=ACCURACY, alert_type="accuracy_drop", severity="critical",
                                  component="classifier_v2", message="f1", metrics={}, now=now + timedelta(minutes=5))
        assert later is not None
        store.alerts.record_post(later.alert_id, CHANNEL, "1.000001", now + timedelta(minutes=5))
        joined = store.alerts.get(later.alert_id)
        assert joined is not None and (joined.not_problem_by, joined.not_problem_at) == ("U0ONCALL", now)
    finally:
        store.close()
