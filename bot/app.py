"""The app factory: a Bolt AsyncApp and its Web API client, built from Settings and Deps."""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.deps import Deps

log = logging.getLogger("agentops.app")
SLACK_TIMEOUT_SEC = 10


def build_web_client(settings: Settings, token: str | None,
                     session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """slack-sdk's own retry handlers: 429s wait out Retry-After, dropped connections retry.

    5xx answers are not retried: chat.postMessage is not idempotent and a retry could post twice.
    """
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SEC,
        session=session,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                        AsyncConnectionErrorRetryHandler(max_retry_count=2)],
    )


def _request_kind(body: dict) -> str:
    if "command" in body:
        return "slash_command"
    if body.get("type") == "event_callback":
        return body.get("event", {}).get("type", "event")
    return str(body.get("type", "unknown"))


def build_app(deps: Deps, client: AsyncWebClient) -> AsyncApp:
    from handlers import register_all

    app = AsyncApp(client=client, process_before_response=False, logger=logging.getLogger("agentops.bolt"))

    @app.error
    async def on_unhandled(error: Exception, body: dict) -> None:
        log.error("unhandled error in a %s listener", _request_kind(body), exc_info=error)

    register_all(app, deps)
    return app
