"""The probes that found the hostile-input defects, one by one, against the real bot over socket
mode: unknown and malformed clicks are acked, answered and audited; a poisoned component is posted
valid and inert; silences with absurd arguments are explained."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from handlers.actions.ids import APPROVE_ACTION, SILENCE_ALERT
from seed.slack.hostile import is_bot_date, markup_tokens, mrkdwn_texts
from tests.helpers.slack_bot import RunningBot


def a_message(bot: RunningBot) -> str:
    bot.slack.wait_ack(bot.slack.slash_command("silence model_drift:lstm_v1 1h"))  # any bot message to click on
    bot.slack.wait_for(lambda: bot.slack.ephemerals())
    bot.slack.ws.ephemerals.clear()  # the silence's confirmation: what the test reads next is the click's answer
    return bot.slack.wait_for(lambda: bot.slack.messages())[0].ts


def private_answer(bot: RunningBot, user: str = "U0ONCALL") -> str:
    return bot.slack.wait_for(lambda: bot.slack.ephemerals(user))[-1].text


def test_an_unknown_button_is_acked_answered_and_audited(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    envelope = slack.wait_ack(slack.click("APPROVE_ACTION", "some-request-id", a_message(running_bot)))
    assert envelope.ack_latency < 3.0
    assert "doesn't know that button (`APPROVE_ACTION`)" in private_answer(running_bot)
    [row] = slack.wait_for(lambda: [e for e in running_bot.deps.store.audit.entries() if e.action == "click.unhandled"])
    assert (row.actor, row.outcome, row.channel) == ("U0ONCALL", "refused:unhandled", "C0MLALERTS")


@pytest.mark.parametrize("bend", ["actions", "user"])
def test_a_malformed_click_is_acked_answered_and_audited(running_bot: RunningBot, bend: str) -> None:
    slack = running_bot.slack
    kind, payload = slack.prepare_click(APPROVE_ACTION, "some-request-id", a_message(running_bot))
    payload = copy.deepcopy(payload)
    payload[bend] = None
    slack.wait_ack(slack.burst([(kind, payload)])[0])
    [row] = slack.wait_for(lambda: [e for e in running_bot.deps.store.audit.entries() if e.action == "click.unhandled"])
    assert row.outcome == "refused:malformed" and row.channel == "C0MLALERTS"
    if bend == "actions":  # the user is known: told privately through the response_url
        assert "I couldn't read that click (a click without a list of actions)" in private_answer(running_bot)


def test_a_click_with_a_nul_in_its_value_is_audited(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.click(SILENCE_ALERT, "latency:lstm\x00_v1", a_message(running_bot)))
    row = slack.wait_for(lambda: [e for e in running_bot.deps.store.audit.entries()
                                  if e.action == "silence.add" and e.details.get("via") == "button"])[0]
    assert row.subject == "latency:lstm_v1" and row.message_ts


def test_a_poisoned_component_is_posted_valid_and_inert(running_bot: RunningBot) -> None:
    name = "*bold* <!channel> <https://evil.example|open runbook> " + "x" * 3000
    now = running_bot.clock.now().replace(tzinfo=None)
    for minutes in (150, 90, 30):
        running_bot.deps.warehouse.execute(
            "INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, drift_score, latency_p95_ms, "
            "latency_p99_ms, anomaly_rate, prediction_count) VALUES (%(at)s, %(name)s, 'v1', 0.91, 0.5, 100, 200, "
            "0.01, 1000)", {"at": now - timedelta(minutes=minutes), "name": name})
    running_bot.tick()
    posts = running_bot.slack.wait_for(lambda: len(running_bot.slack.messages()) >= 2 and running_bot.slack.messages())
    poisoned = next(p for p in posts if "evil.example" in p.text)
    assert markup_tokens(poisoned.text) == []
    for mrkdwn in mrkdwn_texts(poisoned.blocks):
        assert [t for t in markup_tokens(mrkdwn) if not is_bot_date(t)] == []  # only the bot's own times
    assert "<!channel>" in running_bot.slack.render_blocks(poisoned)  # shown as the characters it is
    assert any("classifier_v2" in p.text for p in posts)  # the real drift went out beside it
    # (the slack fixture checks afterwards that every message was valid Block Kit)


@pytest.mark.parametrize(("args", "problem"), [
    ("silence latency:lstm_v1 99999999999d", "is not a duration"),
    ("silence latency:" + "x" * 250 + " 4h", "is not a fingerprint"),
    ("silence latency:<!channel> 1h", "silenced `latency:&lt;!channel&gt;`"),
])
def test_absurd_silences_are_explained(running_bot: RunningBot, args: str, problem: str) -> None:
    running_bot.slack.wait_ack(running_bot.slack.slash_command(args))
    reply = running_bot.slack.wait_for(lambda: running_bot.slack.ephemerals() or running_bot.slack.messages())[0]
    assert problem in reply.text
