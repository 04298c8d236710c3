"""/agentops unsilence <fingerprint> — lift a silence before it ends; audited, told in the alert's thread."""

from handlers import silencing
from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation
from handlers.commands.silence import one_fingerprint
from handlers.mrkdwn import code, esc
from handlers.silence_blocks import nothing_to_unsilence


async def run(inv: Invocation) -> None:
    try:
        fingerprint = one_fingerprint(inv.args, "unsilence")
    except ValueError as problem:
        await inv.reply(*usage(str(problem)))
        return
    told = await silencing.unsilence(inv.deps, inv.slack, fingerprint=fingerprint, user=inv.user_id)
    if told is None:
        await inv.reply(*nothing_to_unsilence(fingerprint))
        return
    await inv.reply(*notice(f"You lifted the silence on {code(fingerprint)}. {esc(told.where())}"))
