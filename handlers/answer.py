"""Telling one person something privately, by whatever route a request left: its response_url, or
an ephemeral message in its channel. A request that left neither is only logged."""

from __future__ import annotations

import logging

from handlers.blocks import notice
from handlers.reply import reply
from handlers.slack_edge import SlackEdge, SlackFailure

log = logging.getLogger("agentops.slack")


async def answer_privately(slack: SlackEdge, *, response_url: str, channel: str, user: str, text: str) -> bool:
    """`text` is the bot's own mrkdwn (callers escape what they quote)."""
    message = notice(text)
    if response_url and await reply(slack, response_url, *message):
        return True
    if channel and user:
        told = await slack.call("chat.postEphemeral", slack.client.chat_postEphemeral(
            channel=channel, user=user, text=message[0], blocks=message[1]))
        return not isinstance(told, SlackFailure)
    log.warning("a request left no way to answer it (no response_url, channel or user)")
    return False
