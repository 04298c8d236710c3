"""Answering through a request's response_url, over the bot's shared HTTP session.

Bolt's `respond` opens a new HTTP session (and, against Slack, a new TLS connection) for every
reply; in a burst that work crowds the event loop that has to send the acks.
"""

from __future__ import annotations

from typing import cast

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers.slack_edge import SlackEdge

REPLY_TIMEOUT_SEC = 10


async def reply(slack: SlackEdge, response_url: str, text: str, blocks: list[dict], *, public: bool = False,
                replace_original: bool = False) -> bool:
    """Post the answer; a failure is logged with the method and counted, never raised."""
    if not response_url.startswith(("http://", "https://")):  # a malformed request: nowhere to answer
        slack.failed("response_url", "missing")
        return False
    webhook = AsyncWebhookClient(response_url, timeout=REPLY_TIMEOUT_SEC, session=slack.http,
                                 retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)])
    try:
        text, blocks = slack.redact(text), cast(list[dict], slack.redact.deep(blocks))
        response = await webhook.send(text=text, blocks=blocks, replace_original=replace_original,
                                      response_type="in_channel" if public else "ephemeral")
    except Exception as error:  # a dropped connection or timeout: the user's request is lost, say so in logs
        slack.failed("response_url", type(error).__name__)
        return False
    if response.status_code != 200:
        slack.failed("response_url", f"{response.status_code} {response.body[:200]}")
        return False
    return True
