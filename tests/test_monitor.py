"""The monitor end to end: stand-in Slack, the embedded warehouse, the real bot, a manual clock."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.clock import naive_utc
from seed.loader import seed
from tests.helpers.slack_bot import RunningBot

CHANNEL = "C0MLALERTS"


def posts(bot: RunningBot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if m.user == "U0AGENTOPS"]


def test_a_breach_is_posted_once_with_buttons(running_bot: RunningBot) -> None:
    alerts = running_bot.tick()
    assert {a.fingerprint for a in alerts} == {"model_drift:classifier_v2", "accuracy_drop:classifier_v2"}
    [post] = posts(running_bot)
    shown = running_bot.slack.render_blocks(post)
    assert shown.startswith("🔴 CRITICAL — classifier_v2")
    assert "drift_score 0.4" in shown and "> 0.3" in shown and "f1_score 0.8" in shown
    assert shown.count("[Investigate] [Acknowledge] [Silence 4h]") == 2
    assert "runbook `runbooks/model_drift.md`" in shown
    buttons = [e for b in post.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {b["value"] for b in buttons} == {"model_drift:classifier_v2", "accuracy_drop:classifier_v2"}


def test_no_new_posts_while_firing_until_the_repeat_interval(running_bot: RunningBot) -> None:
    running_bot.tick()
    for _ in range(5):
        running_bot.tick(timedelta(minutes=5))
    [post] = posts(running_bot)
    assert running_bot.slack.messages(CHANNEL, thread_ts=post.ts) == []
    running_bot.tick(timedelta(minutes=6))  # 31 minutes after the post; REPEAT_INTERVAL is 30m here
    replies = running_bot.slack.messages(CHANNEL, thread_ts=post.ts)
    assert len(replies) == 2 and all(r.text.startswith("🔁 classifier_v2 still firing after 0.5 h") for r in replies)
    running_bot.tick(timedelta(minutes=1))
    assert len(running_bot.slack.messages(CHANNEL, thread_ts=post.ts)) == 2
    assert len(posts(running_bot)) == 1


def test_recovery_edits_the_post_and_replies_in_its_thread(running_bot: RunningBot) -> None:
    running_bot.tick()
    seed(running_bot.deps.warehouse, "healthy", naive_utc(running_bot.clock.now()), reset=True)
    assert running_bot.tick(timedelta(minutes=1)) == []
    [post] = posts(running_bot)
    assert post.edits == 1
    assert running_bot.slack.render_blocks(post).startswith("✅ RESOLVED — classifier_v2")
    assert "[Investigate]" not in running_bot.slack.render_blocks(post)
    replies = running_bot.slack.messages(CHANNEL, thread_ts=post.ts)
    assert sorted(r.text.split("`")[1] for r in replies) == ["accuracy_drop:classifier_v2",
                                                            "model_drift:classifier_v2"]
    latest_drift = float(re.search(r"latest: drift_score ([0-9.]+)", " ".join(r.text for r in replies)).group(1))
    assert latest_drift < 0.2
    assert running_bot.deps.store.alerts.list_firing() == []


def test_a_silence_keeps_it_quiet_until_it_expires(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    for fingerprint in ("model_drift:classifier_v2", "accuracy_drop:classifier_v2"):
        slack.wait_ack(slack.slash_command(f"silence {fingerprint} 1h deploying a fix"))
    slack.wait_for(lambda: len(slack.messages(CHANNEL)) == 2)  # the two public silence notes
    running_bot.tick()
    running_bot.tick(timedelta(minutes=30))
    assert posts(running_bot)[2:] == []
    running_bot.tick(timedelta(minutes=31))  # the silence has ended and it still fires
    assert running_bot.slack.render_blocks(posts(running_bot)[2]).startswith("🔴 CRITICAL — classifier_v2")


def test_a_severity_change_is_noted_and_the_header_redrawn(running_bot: RunningBot) -> None:
    running_bot.tick()
    now = naive_utc(running_bot.clock.now())
    for minutes in (1, 2):  # two new measurements with drift eased to warning level, F1 recovered
        running_bot.deps.warehouse.execute(
            "INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, drift_score, "
            "latency_p95_ms, latency_p99_ms, anomaly_rate) VALUES (%(t)s, 'classifier_v2', 'v2.4.0', 0.9, 0.25, "
            "120, 200, 0.02)", {"t": now + timedelta(minutes=minutes)})
    running_bot.tick(timedelta(minutes=2))
    [post] = posts(running_bot)
    thread = [r.text for r in running_bot.slack.messages(CHANNEL, thread_ts=post.ts)]
    assert any(t.startswith("⬇️ classifier_v2 eased from critical to warning") for t in thread)
    assert any(t.startswith("✅ Resolved") and "accuracy_drop:classifier_v2" in t for t in thread)
    assert running_bot.slack.render_blocks(post).startswith("🟡 WARNING — classifier_v2")


def test_health_reports_the_monitor_only_when_it_is_scheduled(running_bot: RunningBot) -> None:
    import httpx

    # interval 0 in tests: only the approval-expiry, investigation-heartbeat and action-takeover jobs are scheduled
    jobs = [job.name for job in running_bot.thread.bot.scheduler.get_jobs()]
    assert sorted(jobs) == ["Bot.expire_approvals", "Bot.resume_actions", "keep_investigations"]
    port = running_bot.deps.settings.health_port
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["checks"]["scheduler"] is None
    assert running_bot.thread.bot.monitor.alive(running_bot.clock.now())


# While the warehouse is down the connector's own query-cancel timer races its retry budget and fails
# in a background thread; `agentops run` logs that as one line (bot/logs.py), pytest warns about it.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_warehouse_outage_is_one_notice_that_resolves(slack, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import signal
    import subprocess
    import sys
    from datetime import UTC, datetime

    from bot.clock import ManualClock
    from bot.runtime import BotThread, build_bot, close_deps
    from tests.helpers.processes import seed_served
    from tests.helpers.slack_bot import RunningBot, bot_settings, free_port

    port = str(free_port())

    def serve() -> subprocess.Popen:
        server = subprocess.Popen([sys.executable, "-m", "bot", "warehouse", "serve", "--port", port],
                                  cwd=tmp_path, stdout=subprocess.PIPE, text=True)
        server.stdout.readline()  # type: ignore[union-attr]  # serving
        return server

    env = {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "agentops", "SNOWFLAKE_PASSWORD": "embedded",
           "SNOWFLAKE_HOST": "127.0.0.1", "SNOWFLAKE_PORT": port, "SNOWFLAKE_PROTOCOL": "http"}
    server = serve()
    seed_served(env, "healthy")
    clock = ManualClock(datetime.now(UTC))
    settings = bot_settings(slack, tmp_path / "bot", **{k.lower(): v for k, v in env.items()},
                            warehouse_timeout_sec=2, warehouse_retries=0)
    built = build_bot(settings, clock=clock)
    deps = built.deps
    thread = BotThread(built)
    thread.start()
    bot = RunningBot(slack, deps, thread, clock)
    try:
        assert bot.tick() == []
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        [notice] = bot.tick(timedelta(minutes=1))
        assert notice.fingerprint == "data_quality:warehouse"
        bot.tick(timedelta(minutes=1))
        [post] = posts(bot)
        assert "data source unavailable: warehouse unavailable (127.0.0.1:" in slack.render_blocks(post)
        server = serve()
        assert bot.tick(timedelta(minutes=1)) == []
        assert slack.render_blocks(post).startswith("✅ RESOLVED — warehouse")
        assert [r.text[:11] for r in slack.messages(CHANNEL, thread_ts=post.ts)] == ["✅ Resolved:"]
    finally:
        thread.stop()
        close_deps(deps)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_an_alert_claimed_by_a_replica_that_died_is_posted_after_its_lease(running_bot: RunningBot) -> None:
    store, now = running_bot.deps.store.alerts, running_bot.clock.now()
    # a replica claimed the fingerprint and the post, then died before calling Slack
    orphan = store.open(fingerprint="model_drift:classifier_v2", alert_type="model_drift", severity="critical",
                        component="classifier_v2", message="claimed, never posted", metrics={}, now=now)
    assert store.claim_post(orphan.alert_id, "replica-that-died", now, timedelta(minutes=2))
    running_bot.tick()
    assert [running_bot.slack.render_blocks(p).count("model_drift:classifier_v2") for p in posts(running_bot)] == [0]
    running_bot.tick(timedelta(minutes=3))  # the lease has run out
    assert sum(running_bot.slack.render_blocks(p).count("`model_drift:classifier_v2`") for p in posts(running_bot)) == 1
    assert store.firing("model_drift:classifier_v2").alert_id == orphan.alert_id  # the same alert, not a new one
