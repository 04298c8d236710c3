"""[Not a problem] on an alert post: the first click marks the post a false positive (and acknowledges it,
stopping its escalation); the post is redrawn with who and when; a later clicker is told who was first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.escalation.not_a_problem import MarkedNotAProblem, mark_not_a_problem
from bot.store.tables import FINGERPRINT_LENGTH
from handlers import not_a_problem_blocks
from handlers.actions.click import read_click
from handlers.actions.malformed import refuse_malformed
from handlers.blocks import Blocks
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def not_a_problem(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable or len(clicked.value) > FINGERPRINT_LENGTH:
                await refuse_malformed(deps, slack, clicked, "alert.not_a_problem")
                return
            outcome = await mark_not_a_problem(deps, clicked.value, clicked.user, via="button",
                                               channel=clicked.channel, message_ts=clicked.message_ts)
            await reply(slack, clicked.response_url, *_answer(outcome))

    return not_a_problem


def _answer(outcome: MarkedNotAProblem) -> tuple[str, Blocks]:
    if outcome.outcome == "marked":
        return not_a_problem_blocks.marked(outcome.fingerprint)
    if outcome.outcome == "already":
        return not_a_problem_blocks.already_marked(outcome.fingerprint, outcome.by, outcome.at)
    return not_a_problem_blocks.not_firing(outcome.fingerprint)
