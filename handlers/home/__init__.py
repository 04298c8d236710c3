"""App Home: gathering its data (warehouse + state store) and publishing the view."""

from __future__ import annotations

import asyncio

from bot.analytics.stats import compute
from bot.deps import Deps
from handlers.home.view import HomeData, home_view
from handlers.slack_edge import SlackEdge


def gather(deps: Deps, slack_connected: bool) -> HomeData:
    """Blocking reads (warehouse, state store); call it in a worker thread. Either may be down: the
    tab is published anyway, saying which."""
    fleet, now = deps.fleet.latest(), deps.clock.now()
    try:
        remembered = (deps.store.alerts.list_firing(), deps.store.approvals.pending(),
                      deps.store.investigations.recent(5), deps.store.incidents.recent(5),
                      compute(deps.store, now=now, days=30))
    except Exception as error:
        if not deps.store_outages.reported(error, "gathering App Home", now):
            raise
        return HomeData(fleet.components, fleet.problem, [], [], [], False, slack_connected, now,
                        read_at=fleet.read_at)
    alerts, approvals, investigations, incidents, stats = remembered
    return HomeData(fleet.components, fleet.problem, alerts, approvals, investigations, True, slack_connected, now,
                    incidents, read_at=fleet.read_at, stats=stats)


async def publish_home(slack: SlackEdge, deps: Deps, user_id: str) -> None:
    data = await asyncio.to_thread(gather, deps, await slack.connected())
    await slack.call("views.publish", slack.client.views_publish(user_id=user_id, view=home_view(data)))
