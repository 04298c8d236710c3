"""[Silence 4h] on an alert: mute its fingerprint, say so in the alert's thread, audit it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.store.tables import FINGERPRINT_LENGTH
from handlers.actions.click import Click, read_click
from handlers.actions.malformed import refuse_malformed
from handlers.blocks import notice
from handlers.mrkdwn import code, mention
from handlers.slack_edge import SlackEdge

BUTTON_SILENCE = timedelta(hours=4)


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def silence_alert(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable or len(clicked.value) > FINGERPRINT_LENGTH:
                await refuse_malformed(deps, slack, clicked, "silence.add")
                return
            await _silence(deps, slack, clicked)

    return silence_alert


async def _silence(deps: Deps, slack: SlackEdge, clicked: Click) -> None:
    fingerprint, user = clicked.value, clicked.user
    now = deps.clock.now()
    silence = await asyncio.to_thread(deps.store.silences.add, fingerprint, user, now, now + BUTTON_SILENCE,
                                      "silenced from the alert")
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="silence.add", subject=fingerprint,
                            outcome="silenced", now=now,
                            details={"until": silence.ends_at.isoformat(), "via": "button"},
                            channel=clicked.channel, message_ts=clicked.message_ts)
    text, blocks = notice(f"🔕 {mention(user)} silenced {code(fingerprint)} until {silence.ends_at:%H:%M} UTC.")
    await slack.call("chat.postMessage", slack.client.chat_postMessage(
        channel=clicked.channel, text=text, blocks=blocks, thread_ts=clicked.thread_ts))
