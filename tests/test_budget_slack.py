"""Budgets through the real bot, Bolt and slack-sdk against the Slack stand-in, with Claude on the scripted
Messages API: a cap reached mid-investigation is said in the alert channel once per level, the diagnosis in
the thread says the offline investigator answered and why, and `/agentops budget` shows the spend."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from seed.slack import SlackStandIn
from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, final_when_forced
from tests.helpers.slack_bot import bot_running

CALL_TOKENS = 1200 + 150 + 900  # the stand-in's usage per call: input, output, the cache written or read
CAP = 2 * CALL_TOKENS + 100  # reached on the third call: that call's answer is kept, the fourth is not asked


def top_level(slack: SlackStandIn, channel: str = "C0MLALERTS") -> list:
    return [m for m in slack.messages(channel) if m.thread_ts is None]


def test_a_cap_reached_mid_investigation_finishes_it_offline_and_says_so_once(slack: SlackStandIn, tmp_path: Path,
                                                                              now: datetime) -> None:
    with ScriptedMessagesAPI(final_when_forced(STEPS)) as api, \
            bot_running(slack, tmp_path / "bot", now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
                        budget_tokens_per_hour=CAP) as bot:
        bot.tick()
        [alert_post] = top_level(slack)
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts))
        [diagnosis] = slack.wait_for(lambda: [m for m in slack.messages("C0MLALERTS", thread_ts=alert_post.ts)
                                              if m.text.startswith("Diagnosis for")], timeout=60)
        notices = slack.wait_for(lambda: len(n := top_level(slack)[1:]) == 3 and n, timeout=10)
        assert len(api.requests) == 3  # the fourth call was never made
        shown = slack.render_blocks(diagnosis)
        assert (f"the hourly token budget is spent ({3 * CALL_TOKENS:,} tokens of {CAP:,} tokens, until 13:00 UTC); "
                "this is the offline runbook investigator") in shown
        texts = [n.text for n in notices]
        print("\n" + "\n".join(texts))
        assert texts[0].startswith(f"⚠️ The hourly token budget is at 80 %: {2 * CALL_TOKENS:,} tokens of {CAP:,}")
        assert texts[1].startswith(f"⚠️ The hourly token budget is at 95 %: {2 * CALL_TOKENS:,} tokens of {CAP:,}")
        assert texts[2].startswith(f"🛑 The hourly token budget is spent: {3 * CALL_TOKENS:,} tokens of {CAP:,}")
        assert "offline runbook investigator" in texts[2] and "13:00 UTC" in texts[2]

        audited = [e for e in bot.deps.store.audit.entries(limit=100) if e.action == "budget_exceeded"]
        assert [(e.outcome, e.details["period"], e.details["cap"]) for e in audited] == [("offline", "hour", "tokens")]
        metrics = bot.deps.metrics.render().decode()
        assert f'agentops_budget_limit{{period="hour",unit="tokens"}} {float(CAP)}' in metrics
        assert f'agentops_budget_spent{{period="hour",unit="tokens"}} {float(3 * CALL_TOKENS)}' in metrics
        assert 'agentops_budget_notices_total{level="95"} 1.0' in metrics
        assert 'agentops_claude_fallbacks_total{reason="budget"} 1.0' in metrics

        slack.wait_ack(slack.slash_command("budget"))
        [told] = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))
        shown = slack.render_blocks(told)
        print(shown)
        assert told.text == f"Model spend today (UTC): {3 * CALL_TOKENS:,} tokens, ${told.text.split('$')[1]}"
        assert f"{3 * CALL_TOKENS:,} tokens of {CAP:,} tokens" in shown and "Claude is paused" in shown
        assert f"Sat 12:00  {3 * CALL_TOKENS:>11,}" in shown  # the hour it was spent in
        assert f"claude-sonnet-4-6  {3 * CALL_TOKENS:>11,}" in shown

        bot.tick()  # the next sweep posts no notice again: each level once per window
        assert len(top_level(slack)) == 4


def test_budget_with_words_after_it_says_what_to_type(slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    with bot_running(slack, tmp_path / "bot", now) as _bot:
        slack.wait_ack(slack.slash_command("budget <!channel> please"))
        [told] = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))
    assert told.text == ("`/agentops budget` takes nothing after it (got `&lt;!channel&gt; please`). Usage: "
                         "`/agentops budget` — model spend by hour, day and model, against the caps.")


def test_a_mention_past_the_cap_is_answered_with_the_passages_and_no_claude_call(slack: SlackStandIn, tmp_path: Path,
                                                                                 now: datetime) -> None:
    from tests.fakes.messages_api import message, text

    with ScriptedMessagesAPI(lambda body, i: message([text("Roll back [runbooks/model_drift.md › Decision tree].")])) \
            as api, bot_running(slack, tmp_path / "bot", now, anthropic_api_key="sk-ant-test",
                                anthropic_base_url=api.base_url, budget_usd_per_hour=1.0) as bot:
        bot.deps.store.spend.record(at=now, model="claude-sonnet-4-6", tokens=300_000, cost_usd=1.0)
        slack.wait_ack(slack.mention("What should I do when model drift is detected?"))
        question = slack.messages()[0]
        [reply] = slack.wait_for(lambda: slack.messages(thread_ts=question.ts))
        shown = slack.render_blocks(reply)
        print(shown)
        assert shown.startswith("From *runbooks/model_drift.md ›") and api.requests == []
        audited = [e for e in bot.deps.store.audit.entries(limit=100) if e.action == "budget_exceeded"]
        assert [(e.subject, e.details["period"], e.details["cap"]) for e in audited] == [
            (f"answer:{question.ts}", "hour", "usd")]
