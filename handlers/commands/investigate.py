"""/agentops investigate <text> — an investigation on demand."""

from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation


async def run(inv: Invocation) -> None:
    if not inv.args:
        await inv.reply(*usage("Say what you see, e.g. `/agentops investigate F1 dropped on classifier_v2`."))
        return
    await inv.reply(*notice(
        "Investigations are not available in this build yet. Meanwhile `/agentops status` shows the latest "
        "metrics, and mentioning @AgentOps with a question searches the runbooks and past incidents."))
