"""👍/👎 under a diagnosis or an @mention answer: stored, one vote per person and message.

The vote is the button's value ("good" or "bad") and nothing else; which message it is about comes
from where Slack says the click happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from handlers.actions.click import Click, read_click
from handlers.actions.ids import FEEDBACK_VALUES
from handlers.actions.malformed import refuse_malformed
from handlers.answer import answer_privately
from handlers.slack_edge import SlackEdge

THANKS = {"good": "Thanks: your 👍 on this {kind} is recorded.",
          "bad": "Thanks: your 👎 on this {kind} is recorded; it helps whoever tunes the runbooks and the "
                 "investigator."}


def make_listener(deps: Deps, slack: SlackEdge, kind: str) -> Callable[..., Awaitable[None]]:
    async def feedback(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable or clicked.value not in FEEDBACK_VALUES:
                await refuse_malformed(deps, slack, clicked, f"feedback.{kind}")
                return
            await _record(deps, slack, clicked, kind)

    return feedback


async def _record(deps: Deps, slack: SlackEdge, clicked: Click, kind: str) -> None:
    await asyncio.to_thread(deps.store.feedback.record, kind=kind, channel=clicked.channel,
                            message_ts=clicked.message_ts, thread_ts=clicked.thread_ts, user=clicked.user,
                            vote=clicked.value, now=deps.clock.now())
    await answer_privately(slack, response_url=clicked.response_url, channel=clicked.channel, user=clicked.user,
                           text=THANKS[clicked.value].format(kind=kind))
