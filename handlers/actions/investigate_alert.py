"""[Investigate] on an alert: an investigation in the alert's thread (one per alert at a time)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.investigations import resolve_subject, start_investigation
from bot.notify import PostRef
from handlers.blocks import notice
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def investigate_alert(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        async with deps.work.slot():
            fingerprint = action["value"]
            subject = await resolve_subject(deps, fingerprint)
            if isinstance(subject, str):
                await reply(slack, body["response_url"], *notice(subject))
                return
            alert = await asyncio.to_thread(deps.store.alerts.firing, fingerprint)
            message = body.get("message", {})
            problem = await start_investigation(
                deps, subject=subject, requested_by=body["user"]["id"],
                thread=PostRef(body["channel"]["id"], message.get("thread_ts") or message["ts"]),
                alert_id=alert.alert_id if alert else None)
            if problem:
                await reply(slack, body["response_url"], *notice(problem))

    return investigate_alert
