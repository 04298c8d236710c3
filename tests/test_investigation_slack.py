"""Investigations in Slack: from the alert's button and from /agentops investigate, in the thread."""

from __future__ import annotations

from tests.helpers.slack_bot import RunningBot

CHANNEL = "C0MLALERTS"


def diagnosis_in(bot: RunningBot, thread_ts: str):  # type: ignore[no-untyped-def]
    return bot.slack.wait_for(lambda: next((m for m in bot.slack.messages(CHANNEL, thread_ts=thread_ts)
                                            if m.text.startswith("Diagnosis for")), None), timeout=30)


def test_investigate_on_an_alert_shows_progress_as_thread_status_then_posts_the_diagnosis(
        running_bot: RunningBot) -> None:
    slack = running_bot.slack
    running_bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user="U0APPROVER"))
    result = diagnosis_in(running_bot, alert_post.ts)
    # progress is the thread's status line, one status per step, never an edited message
    statuses = [s for c, t, s in slack.ws.status_log if (c, t) == (CHANNEL, alert_post.ts)]
    assert statuses[0] == "is investigating classifier_v2…"
    assert "is querying feature drift of classifier_v2…" in statuses and len(statuses) >= 5
    assert result.edits == 0 and (CHANNEL, alert_post.ts) not in slack.ws.statuses  # the reply cleared it
    # one message, the diagnosis (the chart follows as a file)
    assert len([m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts) if not m.files]) == 1
    shown = slack.render_blocks(result)
    assert shown.startswith("🩺 classifier_v2: distribution shift")
    assert "V14 PSI 0.80" in shown and "V17 PSI 0.60" in shown
    # only what matters: the two drifted features in full, three of the rest by name, never cut mid-item
    [drift] = [line for line in shown.splitlines() if "features with PSI" in line]
    assert drift.endswith("Highest of the rest: V21 0.07, V20 0.07, Amount 0.06") and "KS 0.06" not in drift
    assert shown.endswith("[👍] [👎]")  # feedback on the diagnosis, stored
    slack.wait_ack(slack.click("feedback_diagnosis", "good", result.ts, user="U0APPROVER"))
    assert slack.wait_for(lambda: running_bot.deps.store.feedback.votes(CHANNEL, result.ts) == {"good": 1, "bad": 0})
    assert result.text == ("Diagnosis for classifier_v2: distribution shift, 85% confident; proposes roll back "
                           "then retrain (needs an approver)")
    assert "1. `rollback_model` on *classifier_v2* — needs an approver" in shown
    assert "INC-2026-0115" in shown and "runbooks/model_drift.md" in shown
    [record] = running_bot.deps.store.investigations.recent()
    alert = running_bot.deps.store.alerts.firing("model_drift:classifier_v2")
    assert (record.status, record.engine, record.alert_id) == ("done", "offline", alert.alert_id)
    assert record.fallback_reason is None  # no Claude configured: not a fallback
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


def test_with_claude_the_thread_shows_its_diagnosis_and_cost_and_the_store_holds_every_step(  # type: ignore[no-untyped-def]
        slack, tmp_path, now) -> None:
    from tests.fakes.messages_api import STEPS
    from tests.helpers.slack_bot import investigating_with_claude

    with investigating_with_claude(slack, tmp_path / "bot", now) as (api, bot, alert_post):
        shown = slack.render_blocks(diagnosis_in(bot, alert_post.ts))
        assert "V14 and V17 shifted" in shown  # Claude's root cause, not the offline one
        # the scripted model proposes a rollback; the code, not the model, makes it need approval
        request = slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts)
                                               if m.text.startswith("🛂 Approval needed: Roll back")), None))
        assert "proposed by Claude in an investigation <@U0ONCALL> started" in slack.render_blocks(request)
        # 4,800 in at $3, 900 written at $3.75, 2,700 read at $0.30, 600 out at $15 (per MTok)
        assert "Claude, 4 calls, 4,800 input + 2,700 cached + 600 output tokens, $0.0276" in shown
        [record] = bot.deps.store.investigations.recent()
        assert (record.engine, record.input_tokens, record.cached_input_tokens, record.output_tokens,
                record.cache_write_tokens, round(record.cost_usd, 6)) == ("claude", 4800, 2700, 600, 900, 0.027585)
        assert record.fallback_reason is None
        steps = bot.deps.store.investigations.steps(record.investigation_id)
        asked = [block for reply in STEPS for block in reply] + ["submit_diagnosis"]
        assert [s.name for s in steps if s.kind == "tool"] == [b["name"] for b in asked[:-1]] + ["submit_diagnosis"]
        assert [s.kind for s in steps].count("model") == len(api.requests) == 4
        drift = next(s for s in steps if s.name == "query_feature_drift")
        assert drift.arguments == {"model_name": "classifier_v2"} and "⚠ V14 PSI 0.80" in drift.output
        sent = [r["content"] for r in api.requests[2]["messages"][-1]["content"]]
        assert drift.output in sent  # the output as the model saw it
        assert all(s.stop_reason == "tool_use" and s.cost_usd > 0 for s in steps if s.kind == "model")
        assert "Alert: model_drift, severity critical" in api.requests[0]["messages"][0]["content"][0]["text"]


def test_a_garbled_answer_from_claude_leaves_nothing_stuck(slack, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced
    from tests.helpers.slack_bot import bot_running

    with ScriptedMessagesAPI(final_when_forced([])) as api, \
            bot_running(slack, tmp_path / "bot", now, anthropic_api_key="sk-ant-test",
                        anthropic_base_url=api.base_url) as bot:
        api.answer_raw_next("<html><body>502 Bad Gateway</body></html>", "text/html")
        bot.tick()
        [alert_post] = slack.messages(CHANNEL)
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts))
        shown = slack.render_blocks(diagnosis_in(bot, alert_post.ts))
        assert "⚠️ Claude's API answered with something that is not a message (a str: '<html>" in shown
        [record] = bot.deps.store.investigations.recent()
        assert (record.status, record.engine) == ("done", "offline")
        alert = bot.deps.store.alerts.firing("model_drift:classifier_v2")
        incident = bot.deps.store.incidents.for_alert
        # the incident moves on (diagnosed, then awaiting approval of the offline proposals)
        assert slack.wait_for(lambda: incident(alert.alert_id).status not in ("open", "investigating"))


def test_a_rejected_key_is_a_configuration_problem_on_healthz(slack, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced
    from tests.helpers.slack_bot import bot_running

    with ScriptedMessagesAPI(final_when_forced([])) as api, \
            bot_running(slack, tmp_path / "bot", now, anthropic_api_key="sk-ant-revoked",
                        anthropic_base_url=api.base_url) as bot:
        api.fail_next(401)
        bot.tick()
        [alert_post] = slack.messages(CHANNEL)
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts))
        shown = slack.render_blocks(diagnosis_in(bot, alert_post.ts))
        assert "Claude rejected the credentials (401" in shown and "a configuration problem" in shown
        health = httpx.get(f"http://127.0.0.1:{bot.deps.settings.health_port}/healthz", timeout=5).json()
        assert health["warnings"][0].startswith("claude: Claude rejected the credentials (401")
        assert health["status"] == "ok"  # the bot still investigates (offline); restarting it would not help


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
        recorded = bot.deps.store.investigations.recent()[0]
        # counted by the fallback rate: Claude was configured, and why it did not answer is kept
        assert (recorded.engine, recorded.fallback_reason) == ("offline", "unreachable")



def test_of_two_clicks_at_once_the_first_clicker_is_the_requester(running_bot: RunningBot) -> None:
    """The four-eyes rule keeps the requester from approving, so the requester must be who clicked first,
    whichever click's lookups finish first. Three rounds, each with the other person first."""
    slack = running_bot.slack
    running_bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    for first, second in [("U0ONCALL", "U0APPROVER"), ("U0APPROVER", "U0ONCALL"), ("U0ONCALL", "U0APPROVER")]:
        before = {r.investigation_id for r in running_bot.deps.store.investigations.recent()}
        clicks = [slack.prepare_click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user=user)
                  for user in (first, second)]
        for envelope in slack.burst(clicks):
            slack.wait_ack(envelope)
        record = slack.wait_for(lambda seen=before: next((r for r in running_bot.deps.store.investigations.recent()
                                                          if r.investigation_id not in seen and r.status == "done"),
                                                         None), timeout=30)
        assert record.requested_by == first
        told = slack.wait_for(lambda user=second: slack.ephemerals(user))[-1]
        assert told.text.startswith("An investigation of this alert is already running")
        slack.ws.ephemerals.clear()
