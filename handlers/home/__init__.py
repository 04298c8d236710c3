"""App Home: gathering its data (warehouse + state store) and publishing the view."""

from __future__ import annotations

import asyncio

from bot.deps import Deps
from handlers.home.view import HomeData, home_view
from handlers.slack_edge import SlackEdge


def gather(deps: Deps, slack_connected: bool) -> HomeData:
    """Blocking reads (warehouse, state store); call it in a worker thread."""
    components, warehouse_error = deps.fleet.get_or_reason()
    return HomeData(components, warehouse_error, deps.store.alerts.list_firing(), deps.store.approvals.pending(),
                    deps.store.investigations.recent(5), deps.store.ping(), slack_connected, deps.clock.now(),
                    deps.store.incidents.recent(5))


async def publish_home(slack: SlackEdge, deps: Deps, user_id: str) -> None:
    data = await asyncio.to_thread(gather, deps, await slack.connected())
    await slack.call("views.publish", slack.client.views_publish(user_id=user_id, view=home_view(data)))
