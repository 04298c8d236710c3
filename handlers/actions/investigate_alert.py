"""[Investigate] on an alert: an investigation in the alert's thread (one per alert at a time). A person's
first Investigate click on an alert nobody acknowledged acknowledges it (DESIGN §12: time to acknowledge
is post → Ack or the first Investigate click), exactly as [Acknowledge] would; an auto-investigation
never clicks, so it never acknowledges."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from bot.escalation.ack import acknowledge
from bot.investigations import alert_subject, start_investigation
from bot.notify import PostRef
from handlers.acknowledging import redraw
from handlers.actions.click import Click, read_click
from handlers.actions.malformed import refuse_malformed
from handlers.blocks import notice
from handlers.mrkdwn import esc
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def investigate_alert(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            if not clicked.readable:
                await refuse_malformed(deps, slack, clicked, "alert.investigate")
                return
            # held from lookup to claim, per post (its buttons share one incident): the first click wins
            async with deps.investigation_claims.of(f"{clicked.channel}:{clicked.message_ts}"):
                problem = await _claim(deps, clicked)
            await _acknowledge_first_look(deps, clicked)
            if problem:
                await reply(slack, clicked.response_url, *notice(esc(problem)))

    return investigate_alert


async def _acknowledge_first_look(deps: Deps, clicked: Click) -> None:
    """Someone is looking at it: recorded, audited, shown on the post and its escalation stopped, as the
    button does. Only for a firing alert still unacknowledged (a later click is no second acknowledgement)."""
    alert = await asyncio.to_thread(deps.store.alerts.firing, clicked.value)
    if alert is None or alert.acked_by:
        return
    outcome = await acknowledge(deps, clicked.value, clicked.user, via="investigate", channel=clicked.channel,
                                message_ts=clicked.message_ts)
    await redraw(deps, outcome)


async def _claim(deps: Deps, clicked: Click) -> str | None:
    """Start the investigation for this click; the reason to tell the clicker privately when it did not."""
    subject = await alert_subject(deps, clicked.value)
    await asyncio.to_thread(deps.store.audit.record, actor=clicked.user, action="alert.investigate",
                            subject=clicked.value, now=deps.clock.now(),
                            outcome="refused:unknown_component" if isinstance(subject, str) else "requested",
                            channel=clicked.channel, message_ts=clicked.message_ts)
    if isinstance(subject, str):
        return subject
    alert = await asyncio.to_thread(deps.store.alerts.firing, clicked.value)
    return await start_investigation(deps, subject=subject, requested_by=clicked.user,
                                     thread=PostRef(clicked.channel, clicked.thread_ts),
                                     alert_id=alert.alert_id if alert else None)
