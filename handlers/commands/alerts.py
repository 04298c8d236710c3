"""/agentops alerts [page] — the alerts firing now, 20 to a page."""

import asyncio

from handlers.alert_list_blocks import alerts_list
from handlers.commands.invocation import Invocation
from handlers.pages import page_number


async def run(inv: Invocation) -> None:
    alerts = await asyncio.to_thread(inv.deps.store.alerts.list_firing)
    await inv.reply(*alerts_list(alerts, inv.deps.clock.now(), page_number(inv.args) or 1))
