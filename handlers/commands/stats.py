"""/agentops stats [days] — the bot's own figures for the last N days (30 by default), posted in the channel
it was asked in, with the three charts in the message's thread.

In the channel, not privately: the figures are the team's (how fast incidents close, what the
investigations cost), asked for to be talked about; the charts go in the thread so the channel gets one
message. Where the bot cannot post (it was not invited), the asker gets the figures privately and is told why.
"""

from __future__ import annotations

import asyncio
import re

from bot.analytics.charts import all_charts
from bot.analytics.report import StatsReport
from bot.analytics.stats import compute
from handlers.blocks import context, notice
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code, esc
from handlers.slack_edge import SlackFailure
from handlers.stats_blocks import stats_message

DEFAULT_DAYS, MAX_DAYS = 30, 365
_DAYS = re.compile(r"^(\d{1,4})\s*(?:d|days?)?$", re.IGNORECASE)
USAGE = (f"Usage: `/agentops stats [days]` — the last 1 to {MAX_DAYS} days, {DEFAULT_DAYS} when left out; "
         "e.g. `/agentops stats`, `/agentops stats 7` or `/agentops stats 90d`.")
CHART_TITLES = {"outcomes": "Incidents closed per week, by outcome", "resolve-times": "Time to resolve by alert type",
                "cost": "Investigation cost per resolved incident, per week"}


def parse_days(text: str) -> int | None:
    """The window asked for; None when it is not one."""
    if not text.strip():
        return DEFAULT_DAYS
    match = _DAYS.match(text.strip())
    days = int(match.group(1)) if match else 0
    return days if 1 <= days <= MAX_DAYS else None


def _report_and_charts(inv: Invocation, days: int) -> tuple[StatsReport, list[tuple[str, bytes]]]:
    # both block (the store's reads, matplotlib's drawing): run in a worker thread, off the bot's loop
    report = compute(inv.deps.store, now=inv.deps.clock.now(), days=days)
    return report, all_charts(report)


async def run(inv: Invocation) -> None:
    days = parse_days(inv.args)
    if days is None:
        await inv.reply(*notice(f"{code(inv.args, 40)} is not a number of days. {USAGE}"))
        return
    report, charts = await asyncio.to_thread(_report_and_charts, inv, days)
    text, blocks = stats_message(report)
    slack = inv.slack
    posted = await slack.call("chat.postMessage", slack.client.chat_postMessage(
        channel=inv.channel_id, text=text, blocks=blocks))
    if isinstance(posted, SlackFailure):
        why = (f"I couldn't post in this channel ({esc(posted.code)}), so here are the figures for you alone; "
               "invite me with `/invite @AgentOps` to share them and their charts.")
        await inv.reply(text, [*blocks[:-1], context(why)])
        return
    uploaded = await slack.call("files.completeUploadExternal", slack.client.files_upload_v2(
        channel=inv.channel_id, thread_ts=posted["ts"], file_uploads=[
            {"content": png, "filename": f"agentops-stats-{name}-{days}d.png", "title": CHART_TITLES[name]}
            for name, png in charts]))
    if isinstance(uploaded, SlackFailure):
        await inv.reply(*notice(f"The figures are posted, but Slack refused their charts ({esc(uploaded.code)}). "
                                "Try `/agentops stats` again in a minute."))
