"""[Approve] / [Deny] on an approval request: decided once, by an approver, before it expires.

The button's value is only the request id; everything else comes from the state store.
"""

from __future__ import annotations

import asyncio

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.remediation import incidents
from bot.remediation.decisions import decide
from bot.remediation.execute import execute_approved
from bot.remediation.expiry import redraw
from handlers.blocks import notice
from handlers.reply import reply


def make_listener(deps: Deps, decision: str):  # type: ignore[no-untyped-def]
    async def decide_approval(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        async with deps.work.slot():
            result = await asyncio.to_thread(decide, deps, str(action.get("value", "")), body["user"]["id"],
                                             decision)
            if result.tell_clicker:
                await reply(deps, body["response_url"], *notice(result.tell_clicker))
            if not result.closed_now or result.approval is None:
                return
            await redraw(deps, result.approval)
            if result.approval.status == "approved":
                # minutes of work (training): the investigations pool, so quick replies never wait
                deps.investigations.spawn(execute_approved(deps, result.approval))
            else:
                await incidents.approval_closed(deps, result.approval, deps.clock.now())

    return decide_approval
