"""/agentops help — the commands, with examples."""

from handlers.blocks import usage
from handlers.commands.invocation import Invocation


async def run(inv: Invocation) -> None:
    await inv.reply(*usage())
