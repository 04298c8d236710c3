"""/agentops silences [page] — the silences in force, soonest to end first, a page at a time."""

import asyncio

from handlers.commands.invocation import Invocation
from handlers.pages import page_number
from handlers.silence_blocks import silences_list


async def run(inv: Invocation) -> None:
    page = page_number(inv.args) or 1
    now = inv.deps.clock.now()
    active = await asyncio.to_thread(inv.deps.store.silences.list_active, now)
    await inv.reply(*silences_list(active, now, page))
