"""/agentops replay <fingerprint> in Slack: acked, refused privately when it cannot run, otherwise one
message in the alert's thread with the stability, the runs and who replayed; and its builder escapes
what it did not write."""

from __future__ import annotations

from handlers.replay_blocks import replay_result
from tests.helpers.slack_bot import RunningBot

CHANNEL = "C0MLALERTS"
DRIFT = "model_drift:classifier_v2"


def test_replay_posts_one_message_in_the_alerts_thread(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    slack.wait_ack(slack.slash_command(f"replay {DRIFT}"))  # nothing investigated yet: said privately
    told = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))[0]
    assert told.text == (f"no investigation '{DRIFT}': give an investigation id or the fingerprint of an alert that "
                         "was investigated, e.g. model_drift:classifier_v2")
    running_bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    slack.wait_ack(slack.click("investigate_alert", DRIFT, alert_post.ts, user="U0APPROVER"))
    slack.wait_for(lambda: any(m.text.startswith("Diagnosis for") for m in slack.messages(CHANNEL,
                                                                                        thread_ts=alert_post.ts)))
    # the record is kept after the diagnosis and its approval requests are posted
    [investigation] = running_bot.deps.store.investigations.recent()
    slack.wait_for(lambda: running_bot.deps.store.replays.record(investigation.investigation_id) is not None)
    before = len(slack.messages(CHANNEL, thread_ts=alert_post.ts))
    slack.wait_ack(slack.slash_command(f"replay {DRIFT}"))
    assert slack.wait_for(lambda: len(slack.ephemerals("U0ONCALL")) == 2)
    assert slack.ephemerals("U0ONCALL")[1].text.startswith(f"🔁 Replaying the latest investigation of `{DRIFT}`")
    posted = slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts)
                                          if m.text.startswith("🟢 Replay")), None), timeout=30)
    assert posted.text == "🟢 Replay of the investigation of `classifier_v2`: 100% stable over 30 runs"
    shown = slack.render_blocks(posted)
    assert "By perturbation: text 100% · metrics 100% · order 100%" in shown and "No run diverged." in shown
    assert "offline investigator (the runbooks' decision trees in code)" in shown
    assert len(slack.messages(CHANNEL, thread_ts=alert_post.ts)) == before + 1  # one message
    [kept] = running_bot.deps.store.replays.replays_of(investigation.investigation_id)
    assert kept.requested_by == "U0ONCALL" and kept.stability == 1.0


def test_the_replay_message_escapes_the_request_and_labels_a_claude_replay() -> None:
    summary = {"component": "classifier_v2", "stability": 0.5, "runs": 2, "replay_id": "r1", "seed": 0,
               "stability_by_perturbation": {"text": 0.5}, "confidence": {"min": 0.6, "median": 0.7, "max": 0.8},
               "original": {"category": "distribution_shift", "gated": ["rollback_model"], "confidence": 0.8},
               "investigator": "Claude replay: model claude-sonnet-4-6 at http://127.0.0.1:9 — these runs measure "
                               "this replay against this endpoint only, not the model's stability in general",
               "diverged": [{"run": 2, "perturbation": "text", "seed": 1, "request": "<!channel> *why*",
                             "how": "distribution_shift [rollback_model] → unknown [no gated action] for <!channel>"}]}
    text, blocks = replay_result(summary)
    assert text == "🔴 Replay of the investigation of `classifier_v2`: 50% stable over 2 runs"
    body = blocks[0]["text"]["text"]
    assert "• run 2 (text, seed 1): distribution_shift [rollback_model] → unknown [no gated action] for " \
           "&lt;!channel&gt;" in body and "<!channel>" not in body
    assert blocks[1]["elements"][0]["text"].startswith("Claude replay: model claude-sonnet-4-6 at http://127.0.0.1:9")


def test_long_divergences_are_shown_as_whole_lines_with_the_rest_counted() -> None:
    # "&" is escaped to "&amp;": eight 400-character divergences would be 16,000 characters in one section
    diverged = [{"run": n, "perturbation": "metrics", "seed": n, "request": "r", "how": f"{n} " + "&" * 398}
                for n in range(1, 13)]
    summary = {"component": "classifier_v2", "stability": 0.0, "runs": 12, "replay_id": "r1", "seed": 0,
               "stability_by_perturbation": {"metrics": 0.0}, "confidence": {"min": 0.6, "median": 0.7, "max": 0.8},
               "original": {"category": "distribution_shift", "gated": [], "confidence": 0.8},
               "investigator": "offline investigator", "diverged": diverged}
    body = replay_result(summary)[1][0]["text"]["text"]
    print(body)
    assert len(body) <= 3000 and not body.endswith(" …")  # not cut by section()
    shown = [line for line in body.split("\n") if line.startswith("• run ")]
    assert shown and all(line.endswith("&amp;" * 398) for line in shown)  # whole lines, no escape cut open
    assert body.endswith(f"…and {12 - len(shown)} more")
