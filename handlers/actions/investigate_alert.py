"""[Investigate] on an alert: an investigation in the alert's thread (one per alert at a time)."""

from __future__ import annotations

import asyncio

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from handlers.blocks import notice
from handlers.investigation import investigate_in_thread, resolve_subject
from handlers.reply import reply


def make_listener(deps: Deps):  # type: ignore[no-untyped-def]
    async def investigate_alert(ack: AsyncAck, body: dict, action: dict) -> None:
        await ack()
        async with deps.work.slot():
            fingerprint = action["value"]
            subject = await resolve_subject(deps, fingerprint)
            if isinstance(subject, str):
                await reply(deps, body["response_url"], *notice(subject))
                return
            alert = await asyncio.to_thread(deps.store.alerts.firing, fingerprint)
            message = body.get("message", {})
            problem = await investigate_in_thread(
                deps, subject=subject, requested_by=body["user"]["id"], channel=body["channel"]["id"],
                thread_ts=message.get("thread_ts") or message["ts"], alert_id=alert.alert_id if alert else None)
            if problem:
                await reply(deps, body["response_url"], *notice(problem))

    return investigate_alert
