"""Opening the App Home tab publishes a fresh view of the fleet, alerts, approvals and investigations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.deps import Deps
from handlers.home import publish_home
from handlers.slack_edge import SlackEdge


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def app_home_opened(event: dict) -> None:
        user = event.get("user")
        if event.get("tab", "home") == "home" and isinstance(user, str) and user:
            async with deps.work.slot():
                await publish_home(slack, deps, user[:40])

    return app_home_opened
