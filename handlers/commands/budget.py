"""/agentops budget — model spend by hour (last 24 h), day (last 7 days) and model, against the caps; shown
to the asker alone, since it is a check on the bot, not news for the channel."""

from __future__ import annotations

import asyncio

from bot.budgets.report import budget_report
from handlers.blocks import notice
from handlers.budget_blocks import budget_message
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code

USAGE = "Usage: `/agentops budget` — model spend by hour, day and model, against the caps."


async def run(inv: Invocation) -> None:
    if inv.args:
        await inv.reply(*notice(f"`/agentops budget` takes nothing after it (got {code(inv.args, 40)}). {USAGE}"))
        return
    deps = inv.deps
    report = await asyncio.to_thread(budget_report, deps.store, deps.settings, deps.clock.now())
    await inv.reply(*budget_message(report))
