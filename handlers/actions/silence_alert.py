"""[Silence 4h] on an alert: mute its fingerprint, say so in the alert's thread, audit it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.notify import PostRef
from bot.store.tables import FINGERPRINT_LENGTH
from handlers import silencing
from handlers.actions.click import Click, read_click
from handlers.actions.malformed import refuse_malformed
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
    await silencing.silence(deps, slack, fingerprint=clicked.value, user=clicked.user, duration=BUTTON_SILENCE,
                            reason="silenced from the alert", via="button",
                            clicked=PostRef(clicked.channel, clicked.thread_ts), message_ts=clicked.message_ts)
