"""The agent's own drift on an injected clock, through the real bot and the Slack stand-in: a history whose
diagnosis confidence falls 15 % fires one agent_health alert (posted once, paged by the escalation policy,
never auto-investigated), 5 % stays quiet, and the alert resolves when the history recovers."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.analytics.agent_health import assess
from bot.analytics.health_rules import AgentHealthRules
from bot.rules import RulesFileError, load_rules
from seed.slack import SlackStandIn
from tests.helpers.history import plan_history, write_history
from tests.helpers.slack_bot import RunningBot, bot_running

CHANNEL = "C0MLALERTS"
CONFIDENCE = "agent_health:agentops.confidence"


def falling(now: datetime, before: float, after: float) -> Callable[[datetime, random.Random], float]:
    split = now - timedelta(days=7)
    return lambda at, rng: before if at < split else after


def fixed(_at: datetime, _rng: random.Random) -> str:
    return "auto_fixed"  # an escalation rate of 0 in both windows: only confidence can move


def check(bot: RunningBot, advance: timedelta = timedelta(0)) -> list:
    bot.clock.advance(advance)
    return bot.thread.call(bot.thread.bot.check_agent_health())


def agent_posts(bot: RunningBot) -> list:
    return [m for m in bot.slack.messages(CHANNEL) if "agentops.confidence" in m.text or "agentops.escal" in m.text]


def test_a_15_percent_fall_in_confidence_fires_once_and_resolves_when_it_recovers(
        slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("agent_health:\n  severity: critical\n")  # so the shipped policy pages it after 15 minutes
    with bot_running(slack, tmp_path / ".agentops", now, agentops_rules_file=rules, auto_investigate="all") as bot:
        write_history(bot.deps.store, plan_history(now, confidence=falling(now, 0.80, 0.68), outcome=fixed))
        [confidence, escalation] = check(bot)
        assert (confidence.before, confidence.after, confidence.moved) == (0.8, 0.68, True)
        assert confidence.change == -0.15 and not escalation.moved
        [post] = slack.wait_for(lambda: agent_posts(bot))
        shown = slack.render_blocks(post)
        print(shown)
        assert shown.startswith("🔴 CRITICAL — agentops.confidence")
        assert "mean diagnosis confidence fell 15% — 0.80 over the 30 days before to 0.68 over the last 7" in shown
        assert "[Investigate]" not in shown and "[Acknowledge]" in shown  # nothing in the warehouse to investigate
        [alert] = [a for a in bot.deps.store.alerts.list_firing() if a.fingerprint == CONFIDENCE]
        assert (alert.alert_type, alert.source) == ("agent_health", "agentops")
        # AUTO_INVESTIGATE=all, yet nothing investigates it (its claim would be made before the post returned)
        assert [i for i in bot.deps.store.investigations.recent(500) if i.alert_id == alert.alert_id] == []
        assert bot.thread.call(bot.thread.bot.escalate()) == []  # its chain starts (nothing due at once)

        incident = bot.deps.store.incidents.for_alert(alert.alert_id)
        assert incident is not None
        bot.clock.advance(timedelta(minutes=15))
        paged = bot.thread.call(bot.thread.bot.escalate())
        # the shipped policy's 15-minute steps: the reminder in the thread, and email (skipped: no SMTP_HOST)
        assert sorted(paged) == [f"post:{incident.incident_id}/0", f"post:{incident.incident_id}/1"]
        [reminder] = slack.wait_for(lambda: slack.messages(CHANNEL, thread_ts=post.ts))
        print(reminder.text)

        check(bot, timedelta(minutes=45))  # an hour on, still low: the same alert, no second post
        bot.tick()  # a warehouse sweep never resolves the bot's own alert
        assert len(agent_posts(bot)) == 1 and bot.deps.store.alerts.firing(CONFIDENCE) is not None

        # the history recovers: a busy day of confident diagnoses lifts the 7-day mean within 10 % again
        write_history(bot.deps.store, plan_history(bot.clock.now(), count=30, days=1, seed=16, outcome=fixed,
                                                   confidence=lambda at, rng: 0.84))
        [recovered, _] = check(bot, timedelta(hours=1))
        assert recovered.judged and not recovered.moved
        assert bot.deps.store.alerts.firing(CONFIDENCE) is None
        slack.wait_for(lambda: slack.render_blocks(post).startswith("✅ RESOLVED — agentops.confidence"))
        [kept] = [a for a in bot.deps.store.incidents.recent(500) if a.alert_type == "agent_health"]
        assert kept.status == "resolved"  # the alert log keeps the resolved row
        assert len(agent_posts(bot)) == 1
        resolution = slack.wait_for(lambda: [m for m in slack.messages(CHANNEL, thread_ts=post.ts)
                                             if m.text.startswith("✅ Resolved")])[0]
        assert "(latest: confidence_before 0.8, confidence_after 0.772)" in resolution.text  # 7 days back at 0.77
        print(slack.render_blocks(post), *(m.text for m in slack.messages(CHANNEL, thread_ts=post.ts)), sep="\n")


def test_a_5_percent_fall_stays_quiet(running_bot: RunningBot, now: datetime) -> None:
    write_history(running_bot.deps.store, plan_history(now, confidence=falling(now, 0.80, 0.76), outcome=fixed))
    [confidence, _] = check(running_bot)
    assert confidence.judged and confidence.change == -0.05 and not confidence.moved
    assert agent_posts(running_bot) == [] and running_bot.deps.store.alerts.list_firing() == []


def test_a_rising_escalation_rate_fires_and_a_quiet_week_is_not_judged(running_bot: RunningBot,
                                                                       now: datetime) -> None:
    split = now - timedelta(days=7)

    def outcome(at: datetime, rng: random.Random) -> str:
        return "escalated" if rng.random() < (0.1 if at < split else 0.4) else "auto_fixed"

    plan = plan_history(now, outcome=outcome)
    write_history(running_bot.deps.store, plan)
    [_, escalation] = check(running_bot)
    assert escalation.moved and escalation.after > escalation.before * 1.2  # type: ignore[operator]
    [post] = running_bot.slack.wait_for(lambda: agent_posts(running_bot))
    assert "agentops.escalation: escalation rate rose" in post.text
    quiet = assess(running_bot.deps.store, now, AgentHealthRules(min_sample=500))
    assert [m.judged for m in quiet] == [False, False]


@pytest.mark.parametrize(("before", "after", "moved"), [(0, 0, False), (0, 4, True), (0, 2, False)])
def test_from_a_baseline_of_no_escalations_only_a_rate_past_the_threshold_fires(
        running_bot: RunningBot, now: datetime, before: int, after: int, moved: bool) -> None:
    # 10 closed incidents in each window; `before` / `after` of them escalated (0 → 40 % fires, 0 → 20 % not)
    split = now - timedelta(days=7)
    counts = {True: after, False: before}

    def outcome(at: datetime, _rng: random.Random) -> str:
        recent = at >= split
        counts[recent] -= 1
        return "escalated" if counts[recent] >= 0 else "auto_fixed"

    early = plan_history(split, count=10, days=20, outcome=outcome)
    late = plan_history(now, count=10, days=6, seed=17, outcome=outcome)
    write_history(running_bot.deps.store, [*early, *late])
    [_, escalation] = assess(running_bot.deps.store, now, AgentHealthRules())
    assert escalation.judged and escalation.before == 0 and escalation.moved is moved


def test_the_rules_file_section_is_checked_with_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("agent_health:\n  confidence_drop: 0.15\n  min_sample: 5\n")
    loaded = load_rules(rules, timedelta(hours=3)).agent_health
    assert (loaded.confidence_drop, loaded.escalation_rise, loaded.min_sample) == (0.15, 0.20, 5)
    for body, said in [("agent_health:\n  confidence_drop: lots\n", "line 2: agent_health.confidence_drop"),
                       ("agent_health:\n\n  min_sample: 0\n", "line 3: agent_health.min_sample must be a whole"),
                       ("agent_health:\n  severity: loud\n", "agent_health.severity must be warning or critical"),
                       ("agent_health:\n  drop: 0.1\n", "line 2: agent_health: unknown key 'drop'")]:
        rules.write_text(body)
        with pytest.raises(RulesFileError, match=said):
            load_rules(rules, timedelta(hours=3))


def test_the_job_is_scheduled_hourly_by_default(slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    with bot_running(slack, tmp_path / ".agentops", now, agent_health_interval_sec=3600) as bot:
        [job] = [j for j in bot.thread.bot.scheduler.get_jobs() if j.name == "Bot.check_agent_health"]
        assert job.trigger.interval == timedelta(hours=1)
