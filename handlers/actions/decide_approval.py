"""[Approve] / [Deny] on an approval request: decided once, by an approver, before it expires.

The button's value is only the request id; everything else comes from the state store. The
decision and what follows it are the domain's; this listener acks and tells the clicker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.remediation.decisions import Origin, click
from handlers.actions.click import read_click
from handlers.actions.malformed import refuse_malformed
from handlers.approval_blocks import refusal
from handlers.blocks import notice
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge, decision: str) -> Callable[..., Awaitable[None]]:
    async def decide_approval(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable:
                await refuse_malformed(deps, slack, clicked, "approval.approve" if decision == "approved"
                                       else "approval.deny")
                return
            result = await click(deps, clicked.value, clicked.user, decision,
                                 Origin(clicked.channel, clicked.message_ts))
            if result.outcome != "decided":  # a decided request's edited message says it all
                await reply(slack, clicked.response_url, *notice(refusal(result, deps.settings.agentops_approvers)))

    return decide_approval
