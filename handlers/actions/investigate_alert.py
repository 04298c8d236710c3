"""[Investigate] on an alert."""

from __future__ import annotations

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from handlers.blocks import notice
from handlers.reply import reply


def make_listener(deps: Deps):  # type: ignore[no-untyped-def]
    async def investigate_alert(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            text, blocks = notice("Investigations are not available in this build yet; `/agentops status` shows "
                                  "the latest metrics meanwhile.")
            await reply(deps, body["response_url"], text, blocks)

    return investigate_alert
