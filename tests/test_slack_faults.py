"""Alert posts against Slack's failures (the stand-in's fault injection): a lost answer never makes a
second post, a resolution Slack refused reaches the post once Slack answers again, an outage window
delays a new alert by little more than the window, and SLACK_TIMEOUT_SEC bounds a hung call."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import naive_utc
from seed.loader import seed
from seed.slack import SlackStandIn
from tests.helpers.slack_bot import RunningBot, bot_running

CHANNEL = "C0MLALERTS"
DRIFT, F1 = "model_drift:classifier_v2", "accuracy_drop:classifier_v2"


def posts(bot: RunningBot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if m.user == "U0AGENTOPS"]


def recorded(bot: RunningBot) -> set[str | None]:
    return {a.slack_ts for a in bot.deps.store.alerts.list_firing()}


def post_calls(slack: SlackStandIn) -> list:
    return [c for c in slack.ws.calls if c.method == "chat.postMessage"]


@pytest.mark.parametrize("how", ["500", "reset"])
def test_an_answer_lost_after_slack_stored_the_post_leaves_one_post(running_bot: RunningBot, how: str) -> None:
    slack = running_bot.slack
    slack.faults.after_storing("chat.postMessage", how)
    running_bot.tick()
    [post] = posts(running_bot)
    assert len(post_calls(slack)) == 1  # a post is never retried blindly, not even on a dropped connection
    assert recorded(running_bot) == {post.ts}  # found again by its metadata and adopted at once
    running_bot.tick(timedelta(minutes=5))
    assert posts(running_bot) == [post] and len(post_calls(slack)) == 1
    assert len(running_bot.deps.store.incidents.recent()) == 1


def test_a_store_failure_recording_a_two_alert_post_never_posts_it_again(running_bot: RunningBot) -> None:
    engine = running_bot.deps.store.engine
    with engine.begin() as conn:  # the store fails on the second alert of the group (a real SQLite error)
        conn.execute(text(f"CREATE TRIGGER record_fails BEFORE UPDATE OF slack_ts ON alerts "
                          f"WHEN NEW.fingerprint = '{F1}' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"))
    running_bot.tick()
    [post] = posts(running_bot)
    assert recorded(running_bot) == {None}  # one transaction: neither alert is half-recorded
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER record_fails"))
    running_bot.tick()  # the claims still hold
    running_bot.tick(timedelta(seconds=20))  # they lapsed: the next claim looks for the post and adopts it
    assert posts(running_bot) == [post] and len(post_calls(running_bot.slack)) == 1
    assert recorded(running_bot) == {post.ts}
    assert len(running_bot.deps.store.incidents.recent()) == 1


def test_slack_500s_during_a_resolution_are_caught_up_once_slack_answers_again(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    running_bot.tick()
    [post] = posts(running_bot)
    seed(running_bot.deps.warehouse, "healthy", naive_utc(running_bot.clock.now()), reset=True)
    slack.faults.window(4, 500)
    assert running_bot.tick(timedelta(minutes=1)) == []
    assert running_bot.deps.store.alerts.list_firing() == []  # the store says resolved …
    assert slack.render_blocks(post).startswith("🔴 CRITICAL")  # … while Slack is down, the post does not yet
    slack.wait_for(lambda: slack.render_blocks(post).startswith("✅ RESOLVED — classifier_v2")
                   and len(slack.messages(CHANNEL, thread_ts=post.ts)) >= 2, timeout=20)
    time.sleep(1.5)  # nothing else is still on its way
    assert "[Investigate]" not in slack.render_blocks(post)
    notes = [m.text for m in slack.messages(CHANNEL, thread_ts=post.ts)]
    assert sorted(n.split("`")[1] for n in notes if n.startswith("✅ Resolved:")) == [F1, DRIFT]
    assert len(notes) == 2, notes  # each once
    print(slack.render())


@pytest.mark.parametrize("status", [429, 500])
def test_a_20_second_slack_outage_delays_a_new_alert_by_little_more_than_the_window(
        slack: SlackStandIn, tmp_path: Path, now, status: int) -> None:  # type: ignore[no-untyped-def]
    # the monitor on its default schedule (a sweep every 30 s); Slack refuses posts and reads for 20 s
    slack.faults.window(20, status, retry_after=2 if status == 429 else None,
                        methods=("chat.postMessage", "conversations.history", "conversations.list"))
    opened = time.monotonic()
    with bot_running(slack, tmp_path / ".agentops", now, monitor_poll_interval_sec=30) as bot:
        slack.wait_for(lambda: posts(bot), timeout=60)
        delay = time.monotonic() - opened
        print(f"Slack {status} for 20 s: the alert was posted {delay:.1f} s after the outage began")
        tried = [c.status for c in post_calls(slack)]
        assert tried[0] == status and tried[-1] == 200  # tried during the outage, posted after it
        assert 20 <= delay <= 26
        time.sleep(1)
        assert len(posts(bot)) == 1 and recorded(bot) == {posts(bot)[0].ts}


def test_slack_timeout_bounds_a_hung_post(slack: SlackStandIn, tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with bot_running(slack, tmp_path / ".agentops", now, slack_timeout_sec=1) as bot:
        slack.faults.delay("chat.postMessage", 4)
        started = time.monotonic()
        bot.tick()
        took = time.monotonic() - started
        assert took < 3, took  # one second for the post, then a look in the channel for it
        assert recorded(bot) == {None}
        slack.faults.delay("chat.postMessage", 0)
        time.sleep(4)  # the hung call may still land in the channel
        bot.tick(timedelta(seconds=1))
        [post] = posts(bot)
        assert recorded(bot) == {post.ts}
