"""/agentops status — every model and pipeline's latest measurement, assessed, and firing alerts."""

import asyncio

from handlers.blocks import status
from handlers.commands.invocation import Invocation


def _read(inv: Invocation) -> tuple:
    # an unreachable warehouse degrades the answer (the last reading, saying how old), it does not fail
    # or delay it; nor does an unreachable state store (the alerts are then unknown)
    fleet = inv.deps.fleet.latest()
    try:
        return fleet, inv.deps.store.alerts.list_firing()
    except Exception as error:
        if not inv.deps.store_outages.reported(error, "reading firing alerts for status", inv.deps.clock.now()):
            raise
        return fleet, None


async def run(inv: Invocation) -> None:
    fleet, alerts = await asyncio.to_thread(_read, inv)
    await inv.reply(*status(fleet.components, fleet.problem, alerts, inv.deps.clock.now(), fleet.read_at))
