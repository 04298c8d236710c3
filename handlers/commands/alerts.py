"""/agentops alerts — the alerts firing now."""

import asyncio

from handlers.blocks import alerts_list
from handlers.commands.invocation import Invocation


async def run(inv: Invocation) -> None:
    alerts = await asyncio.to_thread(inv.deps.store.alerts.list_firing)
    await inv.reply(*alerts_list(alerts, inv.deps.clock.now()))
