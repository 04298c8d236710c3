"""Fuzzed slash commands, clicks and events against the real bot over socket mode: every envelope is
acked within Slack's 3 seconds, every sender with a response_url is answered, every click is audited,
nothing raises a traceback, and every message the bot sends is valid Block Kit (the stand-in checks).

A bounded run (a few hundred envelopes); bench/hostile_input.py runs the long one.
"""

from __future__ import annotations

import logging
import time

import pytest

from seed.slack.fuzz import probes
from tests.helpers.slack_bot import RunningBot

CLICK_ACTIONS = {"alert.investigate", "silence.add", "approval.approve", "approval.deny", "click.unhandled"}


def test_fuzzed_envelopes_are_acked_answered_and_audited(running_bot: RunningBot,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    slack = running_bot.slack
    running_bot.tick()
    [post] = slack.wait_for(lambda: slack.messages())  # the drift alert: fuzzed clicks land on it
    made = probes(slack, seed=13, slash=150, clicks=120, events=40, message_ts=post.ts)
    caplog.set_level(logging.ERROR)
    ids = []
    for start in range(0, len(made), 40):  # bursts, as a busy workspace sends them
        ids += slack.burst([(p.kind, p.payload) for p in made[start:start + 40]])
    envelopes = [slack.wait_ack(envelope_id, timeout=10) for envelope_id in ids]
    assert max(e.ack_latency for e in envelopes) < 3.0
    owed = {p.token for p in made if p.token and not p.in_thread}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not owed <= set(slack.answered):
        time.sleep(0.1)
    assert owed - set(slack.answered) == set(), "senders left without an answer"
    # a note in the alert's thread for every silence click, and for every command silencing a fingerprint it shows
    on_post = {a.fingerprint for a in running_bot.deps.store.alerts.sharing_post(post.channel, post.ts)}
    by_command = [
        e for e in running_bot.deps.store.audit.entries(limit=10_000)
        if e.action == "silence.add" and e.details.get("via") == "command" and e.subject in on_post]
    silenced = sum(p.in_thread for p in made) + len(by_command)
    assert len(slack.wait_for(lambda: len(notes := [m for m in slack.messages(thread_ts=post.ts)
                                                    if m.text.startswith("🔕")]) >= silenced and notes)) == silenced
    clicks = [p for p in made if p.kind == "interactive"]
    audited = slack.wait_for(lambda: (rows := [e for e in running_bot.deps.store.audit.entries(limit=10_000)
                                               if e.action in CLICK_ACTIONS and e.details.get("via") != "command"])
                                      and len(rows) >= len(clicks) and rows)
    assert len(audited) == len(clicks)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == [], tracebacks[0].getMessage() if tracebacks else ""
