"""/agentops replay <fingerprint> — re-run the alert's latest investigation from its record with every
perturbation; the result is posted in the investigation's thread (the alert's)."""

from bot.replay.requests import start_replay
from bot.store.tables import FINGERPRINT_LENGTH
from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code, esc


async def run(inv: Invocation) -> None:
    ref = inv.args.split()[0] if inv.args.split() else ""
    if not ref:
        await inv.reply(*usage("Name the alert, e.g. `/agentops replay model_drift:classifier_v2`."))
        return
    if len(ref) > FINGERPRINT_LENGTH:
        await inv.reply(*notice(f"That is longer than any fingerprint ({FINGERPRINT_LENGTH} characters); "
                                "`/agentops alerts` lists them."))
        return
    problem = await start_replay(inv.deps, ref, inv.user_id)
    if problem:
        await inv.reply(*notice(esc(problem)))
        return
    await inv.reply(*notice(f"🔁 Replaying the latest investigation of {code(ref, 100)} from its record; the "
                            "result will be in its thread."))
