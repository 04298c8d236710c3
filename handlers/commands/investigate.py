"""/agentops investigate <text> — an investigation on demand, in a new thread of the channel."""

from bot.investigations import resolve_subject, start_investigation
from bot.notify import PostRef
from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code, esc, mention
from handlers.own_posts import tagged
from handlers.slack_edge import SlackFailure


async def run(inv: Invocation) -> None:
    if not inv.args:
        await inv.reply(*usage("Say what you see, e.g. `/agentops investigate F1 dropped on classifier_v2`."))
        return
    subject = await resolve_subject(inv.deps, inv.args)
    if isinstance(subject, str):  # nothing is posted for a request that cannot start
        await inv.reply(*notice(esc(subject)))
        return
    text, blocks = notice(f"🔎 {mention(inv.user_id)} asked for an investigation: “{esc(inv.args[:500])}”")
    opened = await inv.slack.call("chat.postMessage", inv.slack.client.chat_postMessage(
        channel=inv.channel_id, text=text, blocks=blocks, metadata=tagged("investigation")))
    if isinstance(opened, SlackFailure):
        await inv.reply(*notice(f"I couldn't start a thread here (Slack said {code(opened.code)}); invite @AgentOps to "
                                "this channel, or run the command in #ml-alerts."))
        return
    problem = await start_investigation(inv.deps, subject=subject, requested_by=inv.user_id,
                                        thread=PostRef(opened["channel"], opened["ts"]))
    if problem:
        await inv.reply(*notice(esc(problem)))
