"""/agentops unsilence <fingerprint> — lift a silence before it ends; audited, told in the alert's thread."""

from handlers import silencing
from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation
from handlers.commands.silence import check_fingerprint
from handlers.mrkdwn import code, esc
from handlers.silence_blocks import nothing_to_unsilence


async def run(inv: Invocation) -> None:
    words = inv.args.split()
    try:
        if len(words) != 1:
            raise ValueError("Give one fingerprint, e.g. `/agentops unsilence model_drift:classifier_v2`.")
        fingerprint = check_fingerprint(words[0])
    except ValueError as problem:
        await inv.reply(*usage(str(problem)))
        return
    told = await silencing.unsilence(inv.deps, inv.slack, fingerprint=fingerprint, user=inv.user_id)
    if told is None:
        await inv.reply(*nothing_to_unsilence(fingerprint))
        return
    await inv.reply(*notice(f"You lifted the silence on {code(fingerprint)}. {esc(told.where())}"))
