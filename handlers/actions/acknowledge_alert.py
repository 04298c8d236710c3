"""[Acknowledge] on an alert post (or on an escalation note): the first click is recorded and stops the
escalation, the post is redrawn with who and when (and without the button); a later clicker is told
who was first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.escalation.ack import acknowledge
from bot.store.tables import FINGERPRINT_LENGTH
from handlers.acknowledging import answer_of, redraw
from handlers.actions.click import read_click
from handlers.actions.malformed import refuse_malformed
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def acknowledge_alert(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable or len(clicked.value) > FINGERPRINT_LENGTH:
                await refuse_malformed(deps, slack, clicked, "alert.acknowledge")
                return
            outcome = await acknowledge(deps, clicked.value, clicked.user, via="button", channel=clicked.channel,
                                        message_ts=clicked.message_ts)
            await redraw(deps, outcome)
            await reply(slack, clicked.response_url, *answer_of(outcome))

    return acknowledge_alert
