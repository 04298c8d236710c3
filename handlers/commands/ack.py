"""/agentops ack <fingerprint> — acknowledge an alert post: recorded, audited, shown on the post, and its
escalation stops."""

from bot.escalation.ack import acknowledge
from handlers.acknowledging import answer_of, redraw
from handlers.blocks import usage
from handlers.commands.invocation import Invocation
from handlers.commands.silence import one_fingerprint


async def run(inv: Invocation) -> None:
    try:
        fingerprint = one_fingerprint(inv.args, "ack")
    except ValueError as problem:
        await inv.reply(*usage(str(problem)))
        return
    outcome = await acknowledge(inv.deps, fingerprint, inv.user_id, via="command", channel=inv.channel_id)
    await redraw(inv.deps, outcome)
    await inv.reply(*answer_of(outcome))
