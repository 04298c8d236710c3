"""What an acknowledgement shows, the same from the button and the command: the alert post redrawn (who
and when, no button) and a private answer to the person who acknowledged."""

from __future__ import annotations

import asyncio

from bot.deps import Deps
from bot.escalation.ack import Acknowledged
from handlers import escalation_blocks
from handlers.blocks import Blocks


async def redraw(deps: Deps, outcome: Acknowledged) -> None:
    post = outcome.post
    if outcome.outcome == "acknowledged" and post is not None and outcome.alert is not None:
        sharing = await asyncio.to_thread(deps.store.alerts.sharing_post, post.channel, post.ts)
        await deps.announcer.alert_changed(post, outcome.alert.component, sharing)


def answer_of(outcome: Acknowledged) -> tuple[str, Blocks]:
    if outcome.outcome == "acknowledged":
        return escalation_blocks.acknowledged(outcome.fingerprint, outcome.time_to_ack_sec)
    if outcome.outcome == "already":
        return escalation_blocks.already_acknowledged(outcome.fingerprint, outcome.by, outcome.at)
    return escalation_blocks.not_firing(outcome.fingerprint)
