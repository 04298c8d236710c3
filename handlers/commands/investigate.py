"""/agentops investigate <text> — an investigation on demand, in a new thread of the channel."""

from slack_sdk.errors import SlackApiError

from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation
from handlers.investigation import investigate_in_thread, resolve_subject
from handlers.slack_errors import report_slack_error


async def run(inv: Invocation) -> None:
    if not inv.args:
        await inv.reply(*usage("Say what you see, e.g. `/agentops investigate F1 dropped on classifier_v2`."))
        return
    subject = await resolve_subject(inv.deps, inv.args)
    if isinstance(subject, str):  # nothing is posted for a request that cannot start
        await inv.reply(*notice(subject))
        return
    text, blocks = notice(f"🔎 <@{inv.user_id}> asked for an investigation: “{inv.args[:500]}”")
    try:
        opened = await inv.client.chat_postMessage(channel=inv.channel_id, text=text, blocks=blocks)
    except SlackApiError as error:
        code = report_slack_error(inv.deps, "chat.postMessage", error)
        await inv.reply(*notice(f"I couldn't start a thread here (Slack said `{code}`); invite @AgentOps to "
                                "this channel, or run the command in #ml-alerts."))
        return
    problem = await investigate_in_thread(inv.deps, subject=subject, requested_by=inv.user_id,
                                          channel=opened["channel"], thread_ts=opened["ts"])
    if problem:
        await inv.reply(*notice(problem))
