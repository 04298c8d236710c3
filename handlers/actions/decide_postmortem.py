"""[Publish] / [Discard] on a post-mortem draft: the button's value is only the incident id; the decision
is the domain's (bot/postmortems/decisions.py), which redraws the draft; a click that decided nothing is
answered privately."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.postmortems.decisions import decide_postmortem
from handlers.actions.click import read_click
from handlers.actions.malformed import refuse_malformed
from handlers.blocks import notice
from handlers.postmortem_blocks import refusal
from handlers.reply import reply
from handlers.slack_edge import SlackEdge

INCIDENT_ID_LENGTH = 40


def make_listener(deps: Deps, slack: SlackEdge, decision: str) -> Callable[..., Awaitable[None]]:
    verb = "publish" if decision == "published" else "discard"

    async def decide(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable or len(clicked.value) > INCIDENT_ID_LENGTH:
                await refuse_malformed(deps, slack, clicked, f"postmortem.{verb}")
                return
            result = await decide_postmortem(deps, clicked.value, clicked.user, decision, clicked.channel,
                                             clicked.message_ts)
            if result.outcome not in ("published", "discarded"):
                await reply(slack, clicked.response_url, *notice(refusal(result)))

    return decide
