"""Opening the App Home tab publishes a fresh view of the fleet, alerts, approvals and investigations."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from handlers.home import publish_home


def make_listener(deps: Deps):  # type: ignore[no-untyped-def]
    async def app_home_opened(event: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") == "home":
            async with deps.work.slot():
                await publish_home(client, deps, event["user"])

    return app_home_opened
