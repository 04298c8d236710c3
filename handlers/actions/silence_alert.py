"""[Silence 4h] on an alert: mute its fingerprint, say so in the alert's thread, audit it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from handlers.blocks import notice
from handlers.slack_edge import SlackEdge

BUTTON_SILENCE = timedelta(hours=4)


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def silence_alert(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        async with deps.work.slot():
            await _silence(deps, slack, body, action)

    return silence_alert


async def _silence(deps: Deps, slack: SlackEdge, body: dict, action: dict) -> None:
    fingerprint, user = action["value"], body["user"]["id"]
    now = deps.clock.now()
    silence = await asyncio.to_thread(deps.store.silences.add, fingerprint, user, now, now + BUTTON_SILENCE,
                                      "silenced from the alert")
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="silence.add", subject=fingerprint,
                            outcome="silenced", now=now,
                            details={"until": silence.ends_at.isoformat(), "via": "button"})
    text, blocks = notice(f"🔕 <@{user}> silenced `{fingerprint}` until {silence.ends_at:%H:%M} UTC.")
    message = body.get("message", {})
    await slack.call("chat.postMessage", slack.client.chat_postMessage(
        channel=body["channel"]["id"], text=text, blocks=blocks,
        thread_ts=message.get("thread_ts") or message.get("ts")))
