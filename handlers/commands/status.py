"""/agentops status — every model and pipeline's latest measurement, assessed, and firing alerts."""

import asyncio

from handlers.blocks import status
from handlers.commands.invocation import Invocation


def _read(inv: Invocation) -> tuple:
    # an unreachable warehouse degrades the answer (it says so), it does not fail it
    components, error = inv.deps.fleet.get_or_reason()
    return components, error, inv.deps.store.alerts.list_firing()


async def run(inv: Invocation) -> None:
    components, error, alerts = await asyncio.to_thread(_read, inv)
    await inv.reply(*status(components, error, alerts, inv.deps.clock.now()))
