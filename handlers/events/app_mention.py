"""@AgentOps <question>: answered in the mention's thread from the runbooks and past incidents, with sources."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from logging import Logger

from agents.answer import answer as answer_question
from bot.budgets.meter import SpendMeter
from bot.deps import Deps
from handlers.actions.ids import FEEDBACK_ANSWER
from handlers.blocks import answer, notice
from handlers.mrkdwn import code
from handlers.own_posts import tagged
from handlers.slack_edge import SlackEdge, SlackFailure

_MENTION = re.compile(r"<@[A-Z0-9]+>")


def _text(value: object, limit: int = 40) -> str:
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def app_mention(event: dict, logger: Logger) -> None:
        async with deps.work.slot():  # Bolt acked the event already; the answer is the slow part
            await _answer(deps, slack, event, logger)

    return app_mention


async def _answer(deps: Deps, slack: SlackEdge, event: dict, logger: Logger) -> None:
    channel, user, ts = (_text(event.get(k)) for k in ("channel", "user", "ts"))
    if not (channel and ts):  # a malformed event: there is no message to answer
        logger.warning("an app_mention without a channel or ts was ignored")
        return
    thread_ts = _text(event.get("thread_ts")) or ts
    question = _MENTION.sub("", _text(event.get("text"), 4000)).strip()
    # a missing reaction is cosmetic; the answer still goes out
    await slack.call("reactions.add", slack.client.reactions_add(channel=channel, timestamp=ts, name="eyes"))
    if not question:
        text, blocks = notice("Ask me about a runbook or a past incident, e.g. "
                              "“what do I do when drift is above 0.3?”. `/agentops help` lists the commands.")
    else:
        body, passages = await asyncio.to_thread(answer_question, deps.knowledge, question, deps.anthropic,
                                                 deps.settings.anthropic_model, SpendMeter.of(deps, f"answer:{ts}"))
        text, blocks = answer(question, body, [p.citation for p in passages], FEEDBACK_ANSWER)
    posted = await slack.call("chat.postMessage", slack.client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, metadata=tagged("answer")))
    # 👀 meant "working on it"; once answered (or failed to) it would only say that forever
    await slack.call("reactions.remove", slack.client.reactions_remove(channel=channel, timestamp=ts, name="eyes"))
    if isinstance(posted, SlackFailure):
        # the threaded answer failed: tell the asker why, where only they see it
        text, blocks = notice(f"I couldn't reply in this thread: Slack answered {code(posted.code)} to "
                              "chat.postMessage. Check that @AgentOps is a member of this channel.")
        told = await slack.call("chat.postEphemeral", slack.client.chat_postEphemeral(
            channel=channel, user=user, thread_ts=thread_ts, text=text, blocks=blocks))
        if isinstance(told, SlackFailure):
            logger.warning("could not tell %s about the failed answer either", user)
