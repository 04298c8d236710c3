"""Investigations in Slack: from the alert's button and from /agentops investigate, in the thread."""

from __future__ import annotations

from tests.helpers.slack_bot import RunningBot

CHANNEL = "C0MLALERTS"


def diagnosis_in(bot: RunningBot, thread_ts: str):  # type: ignore[no-untyped-def]
    return bot.slack.wait_for(lambda: next((m for m in bot.slack.messages(CHANNEL, thread_ts=thread_ts)
                                            if m.text.startswith("Diagnosis for")), None), timeout=30)


def test_investigate_on_an_alert_edits_progress_then_shows_the_diagnosis(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    running_bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user="U0APPROVER"))
    result = diagnosis_in(running_bot, alert_post.ts)
    assert result.edits >= 3  # progress edited in place, then replaced by the diagnosis
    # one message, not a stream of posts (the chart follows as a file)
    assert len([m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts) if not m.files]) == 1
    shown = slack.render_blocks(result)
    assert shown.startswith("🩺 classifier_v2: distribution shift")
    assert "V14 PSI 0.80" in shown and "V17 PSI 0.60" in shown
    assert "1. `rollback_model` on *classifier_v2* — needs an approver" in shown
    assert "INC-2026-0115" in shown and "runbooks/model_drift.md" in shown
    [record] = running_bot.deps.store.investigations.recent()
    alert = running_bot.deps.store.alerts.firing("model_drift:classifier_v2")
    assert (record.status, record.engine, record.alert_id) == ("done", "offline", alert.alert_id)
    assert record.diagnosis["root_cause_category"] == "distribution_shift"
    chart = slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts) if m.files),
                                        None))
    assert chart.files[0]["title"] == "classifier_v2 · drift_score, last 24 h (UTC)"
    assert chart.files[0]["content"].startswith(b"\x89PNG")


def test_a_second_click_while_one_runs_is_told_so(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    running_bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    alert = running_bot.deps.store.alerts.firing("model_drift:classifier_v2")
    running_bot.deps.store.investigations.start(trigger="x", requested_by="U0ONCALL", now=running_bot.clock.now(),
                                                alert_id=alert.alert_id)  # one is running
    slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user="U0VIEWER"))
    told = slack.wait_for(lambda: slack.ephemerals("U0VIEWER"))[0]
    assert told.text.startswith("An investigation of this alert is already running")
    assert slack.messages(CHANNEL, thread_ts=alert_post.ts) == []


def test_the_command_opens_a_thread_for_the_investigation(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.slash_command("investigate Model F1 dropped to 0.82 on classifier_v2"))
    opened = slack.wait_for(lambda: slack.messages(CHANNEL))[0]
    assert opened.text.startswith("🔎 <@U0ONCALL> asked for an investigation: “Model F1 dropped to 0.82")
    assert "distribution shift" in slack.render_blocks(diagnosis_in(running_bot, opened.ts))


def test_an_unknown_component_posts_nothing_and_lists_the_known_ones(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.slash_command("investigate fraud_gbm_v7 looks off"))
    told = slack.wait_for(lambda: slack.ephemerals())[0]
    assert told.text.startswith("I don't know 'fraud_gbm_v7'; known models and pipelines: anomaly_v1")
    assert slack.messages(CHANNEL) == []


def test_with_claude_the_thread_shows_its_diagnosis_and_token_cost(slack, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, final_when_forced
    from tests.helpers.slack_bot import bot_running

    with ScriptedMessagesAPI(final_when_forced(STEPS)) as api, \
            bot_running(slack, tmp_path / "bot", now, anthropic_api_key="sk-ant-test",
                        anthropic_base_url=api.base_url) as bot:
        bot.tick()
        [alert_post] = slack.messages(CHANNEL)
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts))
        shown = slack.render_blocks(diagnosis_in(bot, alert_post.ts))
        assert "V14 and V17 shifted" in shown  # Claude's root cause, not the offline one
        # Claude said the rollback needs no approval; it gets a request anyway
        request = slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts)
                                               if m.text.startswith("🛂 Approval needed: Roll back")), None))
        assert "proposed by Claude in an investigation <@U0ONCALL> started" in slack.render_blocks(request)
        assert "Claude, 4 calls, 4,800 input + 2,700 cached + 600 output tokens" in shown
        [record] = bot.deps.store.investigations.recent()
        assert (record.engine, record.input_tokens, record.cached_input_tokens, record.output_tokens) == (
            "claude", 4800, 2700, 600)


def test_with_claude_unreachable_the_thread_says_the_offline_investigator_answered(slack, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers.slack_bot import bot_running, free_port

    with bot_running(slack, tmp_path / "bot", now, anthropic_api_key="sk-ant-test",
                     anthropic_base_url=f"http://127.0.0.1:{free_port()}") as bot:
        bot.tick()
        [alert_post] = slack.messages(CHANNEL)
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts))
        shown = slack.render_blocks(diagnosis_in(bot, alert_post.ts))
        assert "⚠️ Claude was unreachable (APIConnectionError); this is the offline runbook investigator's" in shown
        assert "V14, V17" in shown and "offline runbook investigator" in shown
        assert bot.deps.store.investigations.recent()[0].engine == "offline"
