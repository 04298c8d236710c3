"""/agentops silences [page] — the silences in force, soonest to end first, a page at a time."""

import asyncio

from handlers.commands.invocation import Invocation
from handlers.silence_blocks import silences_list


async def run(inv: Invocation) -> None:
    page = int(inv.args) if inv.args.isdigit() and len(inv.args) < 6 else 1
    now = inv.deps.clock.now()
    active = await asyncio.to_thread(inv.deps.store.silences.list_active, now)
    await inv.reply(*silences_list(active, now, page))
