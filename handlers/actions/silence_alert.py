"""[Silence 4h] on an alert: mute its fingerprint, say so in the alert's thread, audit it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from handlers.blocks import notice
from handlers.slack_errors import report_slack_error

BUTTON_SILENCE = timedelta(hours=4)


def make_listener(deps: Deps):  # type: ignore[no-untyped-def]
    async def silence_alert(ack: AsyncAck, body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        async with deps.work.slot():
            await _silence(deps, body, action, client)

    return silence_alert


async def _silence(deps: Deps, body: dict, action: dict, client: AsyncWebClient) -> None:
    fingerprint, user = action["value"], body["user"]["id"]
    now = deps.clock.now()
    silence = await asyncio.to_thread(deps.store.silences.add, fingerprint, user, now, now + BUTTON_SILENCE,
                                      "silenced from the alert")
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="silence.add", subject=fingerprint,
                            outcome="silenced", now=now,
                            details={"until": silence.ends_at.isoformat(), "via": "button"})
    text, blocks = notice(f"🔕 <@{user}> silenced `{fingerprint}` until {silence.ends_at:%H:%M} UTC.")
    message = body.get("message", {})
    try:
        await client.chat_postMessage(channel=body["channel"]["id"], text=text, blocks=blocks,
                                      thread_ts=message.get("thread_ts") or message.get("ts"))
    except SlackApiError as error:
        report_slack_error(deps, "chat.postMessage", error)
