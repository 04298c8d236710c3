"""End to end: the real Bolt app in socket mode over a real WebSocket, against the Slack stand-in."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from handlers.actions.ids import INVESTIGATE_ALERT, SILENCE_ALERT
from tests.helpers.slack_bot import RunningBot


def ephemeral_after(bot: RunningBot, count: int, user: str = "U0ONCALL"):  # type: ignore[no-untyped-def]
    return bot.slack.wait_for(lambda: len(bot.slack.ephemerals(user)) > count and bot.slack.ephemerals(user)[count])


def test_help_is_acked_and_answered(running_bot: RunningBot) -> None:
    envelope = running_bot.slack.wait_ack(running_bot.slack.slash_command("help"))
    assert envelope.ack_latency < 3.0  # Slack's deadline; typical figures are in bench/ack_latency.py
    reply = ephemeral_after(running_bot, 0)
    assert reply.via == "response_url"
    assert reply.text.startswith("Usage: /agentops help | status")
    shown = running_bot.slack.render_blocks(reply)
    assert "`/agentops status`" in shown and "`/agentops investigate <what you see>`" in shown


@pytest.mark.parametrize("text", ["", "garbage", "DROP TABLE alerts;", "x" * 500])
def test_garbage_gets_an_ephemeral_usage_message(running_bot: RunningBot, text: str) -> None:
    running_bot.slack.wait_ack(running_bot.slack.slash_command(text))
    reply = ephemeral_after(running_bot, 0)
    assert "Usage: /agentops help" in reply.text
    assert running_bot.slack.messages() == []  # nothing posted for everyone to see


def test_status_shows_the_seeded_drift(running_bot: RunningBot) -> None:
    running_bot.slack.wait_ack(running_bot.slack.slash_command("status"))
    shown = running_bot.slack.render_blocks(ephemeral_after(running_bot, 0))
    assert "🔴 *classifier_v2* `v2.4.0` — F1 0.8" in shown and "drift 0.45" in shown
    assert "🟢 *lstm_v1*" in shown and "🟢 *transactions_ingest*" in shown


def test_silence_command_is_public_audited_and_stored(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.slash_command("silence model_drift:classifier_v2 4h retraining tonight"))
    posted = slack.wait_for(lambda: slack.messages())
    assert "silenced `model_drift:classifier_v2`" in posted[0].text and "retraining tonight" in posted[0].text
    now = running_bot.clock.now()
    assert running_bot.deps.store.silences.active("model_drift:classifier_v2", now).created_by == "U0ONCALL"
    assert running_bot.deps.store.audit.entries(subject="model_drift:classifier_v2")[0].action == "silence.add"


@pytest.mark.parametrize(("args", "problem"), [("silence", "Give a fingerprint and a duration"),
                                               ("silence nope 4h", "`nope` is not a fingerprint"),
                                               ("silence latency:lstm_v1 soon", "`soon` is not a duration"),
                                               ("silence latency:lstm_v1 90d", "from 1 minute to 30 days")])
def test_bad_silence_is_explained(running_bot: RunningBot, args: str, problem: str) -> None:
    running_bot.slack.wait_ack(running_bot.slack.slash_command(args))
    assert problem in ephemeral_after(running_bot, 0).text
    assert running_bot.deps.store.audit.entries() == []


def test_mention_gets_a_threaded_cited_answer(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.mention("What should I do when model drift is detected?"))
    question = slack.messages()[0]
    reply = slack.wait_for(lambda: slack.messages(thread_ts=question.ts))[0]
    shown = slack.render_blocks(reply)
    assert shown.startswith("From *runbooks/model_drift.md ›")
    assert "Sources: `runbooks/model_drift.md" in shown
    assert "**" not in shown  # GitHub bold was turned into Slack's
    # 👀 while it was composed, gone once answered
    reacted = slack.wait_for(lambda: (calls := [(c.method, c.args.get("name"), c.ok) for c in slack.ws.calls
                                                if c.method.startswith("reactions.")]) and len(calls) == 2 and calls)
    assert reacted == [("reactions.add", "eyes", True), ("reactions.remove", "eyes", True)]
    assert question.reactions == []
    # the notification is the answer's first line, not "Answer to: <the question>"
    first = shown.splitlines()[1]
    assert not reply.shown.startswith("Answer to") and first.startswith(reply.shown.removesuffix(" …"))


def test_feedback_on_an_answer_is_stored_one_vote_per_person(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.mention("What should I do when model drift is detected?"))
    question = slack.messages()[0]
    reply = slack.wait_for(lambda: slack.messages(thread_ts=question.ts))[0]
    [row] = [b for b in reply.blocks or [] if b["type"] == "context_actions"]
    assert row["elements"][0]["type"] == "feedback_buttons"
    slack.wait_ack(slack.click("feedback_answer", "bad", reply.ts, user="U0VIEWER"))
    slack.wait_ack(slack.click("feedback_answer", "good", reply.ts, user="U0VIEWER"))  # changed their mind
    slack.wait_ack(slack.click("feedback_answer", "good", reply.ts, user="U0ONCALL"))
    feedback = running_bot.deps.store.feedback
    assert slack.wait_for(lambda: feedback.votes("C0MLALERTS", reply.ts) == {"good": 2, "bad": 0}, timeout=10)
    assert slack.wait_for(lambda: len(slack.ephemerals("U0ONCALL")) == 1)
    assert slack.ephemerals("U0ONCALL")[0].text == "Thanks: your 👍 on this answer is recorded."
    slack.wait_ack(slack.click("feedback_answer", "launch the rollback", reply.ts, user="U0ONCALL"))
    assert slack.wait_for(lambda: len(slack.ephemerals("U0ONCALL")) == 2)
    assert feedback.votes("C0MLALERTS", reply.ts) == {"good": 2, "bad": 0}  # not a vote: refused, audited
    assert [e.outcome for e in running_bot.deps.store.audit.entries()] == ["refused:malformed"]


def test_button_clicks_are_acked(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.slash_command("silence model_drift:lstm_v1 1h"))  # any bot message to click on
    message = slack.wait_for(lambda: slack.messages())[0]
    for action_id, value in ((INVESTIGATE_ALERT, "model_drift:classifier_v2"), (SILENCE_ALERT, "latency:lstm_v1")):
        envelope = slack.wait_ack(slack.click(action_id, value, message.ts))
        assert envelope.ack_latency < 3.0
    thread = slack.wait_for(lambda: len(slack.messages(thread_ts=message.ts)) >= 2 and
                            slack.messages(thread_ts=message.ts))
    assert any("silenced `latency:lstm_v1`" in m.text for m in thread)
    assert any(m.text.startswith("🔎 Investigating classifier_v2") or m.text.startswith("Diagnosis for")
               for m in thread)


def test_app_home_publishes_health_alerts_approvals_investigations(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.open_home("U0APPROVER"))
    view = slack.wait_for(lambda: slack.ws.views.get("U0APPROVER"))
    shown = slack.render_blocks(view)
    for part in ("Model health", "🔴 *classifier_v2*", "Data quality", "Firing alerts", "Pending approvals",
                 "Recent investigations", "🟢 warehouse", "🟢 state store", "🟢 Slack connection"):
        assert part in shown


def test_health_and_metrics_endpoints(running_bot: RunningBot) -> None:
    running_bot.slack.wait_ack(running_bot.slack.slash_command("help"))
    port = running_bot.deps.settings.health_port
    health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json()["checks"] == {"scheduler": None}
    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"warehouse": True, "state_store": True, "slack_socket": True}
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert 'agentops_acks_total{kind="slash_commands"} 1.0' in metrics


@pytest.mark.parametrize("how", ["close", "disconnect"])
def test_a_dropped_socket_is_reconnected_and_serves_the_next_command(running_bot: RunningBot, how: str) -> None:
    slack = running_bot.slack
    opened_before = sum(1 for _, kind, _ in slack.ws.connection_events if kind == "open")
    started = time.monotonic()
    slack.drop_connections() if how == "close" else slack.send_disconnect()
    slack.wait_for(lambda: sum(1 for _, kind, _ in slack.ws.connection_events if kind == "open") > opened_before
                   and slack.link.open, timeout=20)
    reconnected_in = time.monotonic() - started
    slack.wait_ack(slack.slash_command("help"), timeout=10)
    assert ephemeral_after(running_bot, 0)
    print(f"reconnected after {how} in {reconnected_in * 1000:.0f} ms")


def test_rate_limited_reply_is_retried_and_posted_once(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.rate_limit("chat.postMessage", retry_after=1)
    slack.wait_ack(slack.mention("how do I roll back a model"))
    question = slack.messages()[0]
    slack.wait_for(lambda: slack.messages(thread_ts=question.ts), timeout=15)
    posts = [c for c in slack.ws.calls if c.method == "chat.postMessage"]
    assert [c.status for c in posts] == [429, 200]
    assert len(slack.messages(thread_ts=question.ts)) == 1


def test_slack_error_is_logged_with_the_method_and_shown_to_the_user(running_bot: RunningBot,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    slack = running_bot.slack
    slack.fail("chat.postMessage", "not_in_channel")
    with caplog.at_level(logging.ERROR, logger="agentops.slack"):
        slack.wait_ack(slack.mention("what is the evaluation gate"))
        told = ephemeral_after(running_bot, 0)
    assert "Slack answered `not_in_channel` to chat.postMessage" in told.text and told.via == "chat.postEphemeral"
    assert "slack chat.postMessage failed: not_in_channel" in caplog.text
    assert [c.error for c in slack.ws.calls if c.method == "chat.postMessage"] == ["not_in_channel"]


def test_a_warehouse_outage_is_shown_and_the_bot_keeps_serving(slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.runtime import BotThread, build_bot, close_deps
    from tests.helpers.slack_bot import bot_settings

    settings = bot_settings(slack, tmp_path / ".agentops", snowflake_account="xy12345", snowflake_user="BOT",
                            snowflake_password="pw-not-shown", snowflake_host="127.0.0.1", snowflake_port=9,
                            snowflake_protocol="http", warehouse_timeout_sec=2, warehouse_retries=0)
    built = build_bot(settings)
    deps = built.deps
    thread = BotThread(built)
    thread.start()
    try:
        slack.wait_ack(slack.slash_command("status"))
        first = slack.wait_for(lambda: slack.ephemerals(), timeout=30)[0]
        shown = slack.render_blocks(first)
        assert "⚠️ *Warehouse unavailable* — warehouse unavailable (127.0.0.1:9)" in shown
        assert "pw-not-shown" not in shown and "*Firing alerts:* none" in shown
        slack.wait_ack(slack.open_home())
        home = slack.wait_for(lambda: slack.ws.views.get("U0ONCALL"))
        assert "🔴 warehouse · 🟢 state store" in slack.render_blocks(home)
        slack.wait_ack(slack.slash_command("investigate classifier_v2"))
        told = slack.wait_for(lambda: len(slack.ephemerals()) == 2 and slack.ephemerals()[1])
        assert told.text.startswith("I can't reach the warehouse to investigate: warehouse unavailable")
        slack.wait_ack(slack.slash_command("help"))  # still serving
        assert slack.wait_for(lambda: len(slack.ephemerals()) == 3)
    finally:
        thread.stop()
        close_deps(deps)
