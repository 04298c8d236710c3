"""@AgentOps <question>: answered in the mention's thread from the runbooks and past incidents, with sources."""

from __future__ import annotations

import asyncio
import re
from logging import Logger

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agents.answer import answer as answer_question
from bot.deps import Deps
from handlers.blocks import answer, notice
from handlers.slack_errors import report_slack_error

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def make_listener(deps: Deps):  # type: ignore[no-untyped-def]
    async def app_mention(event: dict, client: AsyncWebClient, logger: Logger) -> None:
        async with deps.work.slot():  # Bolt acked the event already; the answer is the slow part
            await _answer(deps, event, client, logger)

    return app_mention


async def _answer(deps: Deps, event: dict, client: AsyncWebClient, logger: Logger) -> None:
    channel, user = event["channel"], event.get("user", "")
    thread_ts = event.get("thread_ts") or event["ts"]
    question = _MENTION.sub("", event.get("text", "")).strip()
    try:
        await client.reactions_add(channel=channel, timestamp=event["ts"], name="eyes")
    except SlackApiError as error:  # a missing reaction is cosmetic; the answer still goes out
        report_slack_error(deps, "reactions.add", error)
    if not question:
        text, blocks = notice("Ask me about a runbook or a past incident, e.g. "
                              "“what do I do when drift is above 0.3?”. `/agentops help` lists the commands.")
    else:
        body, passages = await asyncio.to_thread(answer_question, deps.knowledge, question, deps.anthropic,
                                                 deps.settings.anthropic_model)
        text, blocks = answer(question, body, [p.citation for p in passages])
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=blocks)
    except SlackApiError as error:
        code = report_slack_error(deps, "chat.postMessage", error)
        await _tell_privately(client, deps, channel, user, thread_ts, code, logger)


async def _tell_privately(client: AsyncWebClient, deps: Deps, channel: str, user: str, thread_ts: str, code: str,
                          logger: Logger) -> None:
    """The threaded answer failed: tell the asker why, where only they see it."""
    text, blocks = notice(f"I couldn't reply in this thread: Slack answered `{code}` to chat.postMessage. "
                          "Check that @AgentOps is a member of this channel.")
    try:
        await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text, blocks=blocks)
    except SlackApiError as error:
        report_slack_error(deps, "chat.postEphemeral", error)
        logger.warning("could not tell %s about the failed answer either", user)
