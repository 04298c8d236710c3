"""‹ Previous / Next › under `/agentops alerts`: the list is read again and the message redrawn in place
at the page clicked, so a page shows the alerts firing now, not those of the first answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from handlers.actions.click import read_click
from handlers.actions.malformed import refuse_malformed
from handlers.alert_list_blocks import alerts_list
from handlers.pages import page_number
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def page_alerts(ack: AsyncAck, body: dict) -> None:
        await ack()
        async with deps.work.slot():
            clicked = read_click(body)
            page = page_number(clicked.value)
            if not clicked.readable or page is None:
                await refuse_malformed(deps, slack, clicked, "alerts.page")
                return
            alerts = await asyncio.to_thread(deps.store.alerts.list_firing)
            await reply(slack, clicked.response_url, *alerts_list(alerts, deps.clock.now(), page),
                        replace_original=True)

    return page_alerts
