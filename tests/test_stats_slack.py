"""`/agentops stats` and App Home's analytics through the real bot, Bolt and slack-sdk against the Slack
stand-in, on a planned history whose figures are worked out from the plan (tests/helpers/expected_stats.py)."""

from __future__ import annotations

from datetime import datetime

from bot.analytics.text import confidence, duration, percent, usd
from tests.helpers.expected_stats import expected_stats
from tests.helpers.history import PlannedIncident, plan_history, write_history
from tests.helpers.slack_bot import RunningBot

PNG = b"\x89PNG\r\n\x1a\n"


def with_history(bot: RunningBot, now: datetime) -> list[PlannedIncident]:
    plan = plan_history(now)
    write_history(bot.deps.store, plan)
    return plan


def test_stats_posts_the_figures_in_the_channel_and_three_charts_in_its_thread(running_bot: RunningBot,
                                                                               now: datetime) -> None:
    slack = running_bot.slack
    expected = expected_stats(with_history(running_bot, now), now, 7)
    envelope = slack.wait_ack(slack.slash_command("stats 7", channel="C0GENERAL"))
    assert envelope.ack_latency is not None and envelope.ack_latency < 2.5  # acked before the work
    [post] = slack.wait_for(lambda: slack.messages("C0GENERAL"))
    shown = slack.render_blocks(post)
    assert post.text.startswith(f"AgentOps stats, last 7 days: {expected['incidents']} incidents, time to resolve "
                                f"p50 {duration(expected['time_to_resolve']['p50'])}")
    assert "📊 AgentOps stats — last 7 days" in shown
    assert (f"*Time to resolve*: p50 {duration(expected['time_to_resolve']['p50'])} · "
            f"p95 {duration(expected['time_to_resolve']['p95'])} _(n={expected['time_to_resolve']['count']})_") in shown
    assert f"*Auto-fix rate*: {percent(expected['auto_fix_rate'])}" in shown
    assert f"{usd(expected['cost_per_resolved_incident_usd'])} per resolved incident" in shown
    [charts] = slack.wait_for(lambda: slack.messages("C0GENERAL", thread_ts=post.ts))
    assert [f["name"] for f in charts.files] == ["agentops-stats-outcomes-7d.png",
                                                 "agentops-stats-resolve-times-7d.png", "agentops-stats-cost-7d.png"]
    assert [f["title"] for f in charts.files] == ["Incidents closed per week, by outcome",
                                                  "Time to resolve by alert type",
                                                  "Investigation cost per resolved incident, per week"]
    assert all(f["content"].startswith(PNG) and f["size"] > 10_000 for f in charts.files)
    assert slack.ephemerals() == []  # nothing private: the figures are the channel's


def test_stats_with_bad_days_says_what_to_type(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    for bad in ("lots", "0", "400", "7 weeks"):
        slack.wait_ack(slack.slash_command(f"stats {bad}"))
    told = slack.wait_for(lambda: len(e := slack.ephemerals("U0ONCALL")) == 4 and e)
    assert told[0].text == ("`lots` is not a number of days. Usage: `/agentops stats [days]` — the last 1 to 365 "
                            "days, 30 when left out; e.g. `/agentops stats`, `/agentops stats 7` or "
                            "`/agentops stats 90d`.")
    assert [t.text.split(" is not")[0] for t in told] == ["`lots`", "`0`", "`400`", "`7 weeks`"]
    assert slack.messages("C0MLALERTS") == []


def test_stats_where_the_bot_is_not_invited_gives_the_figures_privately(running_bot: RunningBot,
                                                                        now: datetime) -> None:
    slack = running_bot.slack
    with_history(running_bot, now)
    slack.ws.not_member.add("C0GENERAL")
    slack.wait_ack(slack.slash_command("stats 30d", channel="C0GENERAL"))
    [told] = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))
    shown = slack.render_blocks(told)
    assert "*Time to resolve*: p50 " in shown and "invite me with `/invite @AgentOps`" in shown
    assert "(not_in_channel)" in shown and slack.messages("C0GENERAL") == []


def test_app_home_shows_the_last_30_days(running_bot: RunningBot, now: datetime) -> None:
    slack = running_bot.slack
    expected = expected_stats(with_history(running_bot, now), now, 30)
    slack.wait_ack(slack.open_home())
    home = slack.render_blocks(slack.wait_for(lambda: slack.ws.views.get("U0ONCALL")))
    assert (f"MTTD p50 *{duration(expected['time_to_detect']['p50'])}* · "
            f"MTTA p50 *{duration(expected['time_to_acknowledge']['p50'])}* · "
            f"MTTR p50 *{duration(expected['time_to_resolve']['p50'])}*") in home
    assert (f"Confidence *{confidence(expected['confidence_7d'])}* (7 d) · *{confidence(expected['confidence_30d'])}* "
            f"(30 d) · cost per resolution *{usd(expected['cost_per_resolved_incident_usd'])}*") in home
