"""The bot's Slack connection: one HTTP session, the Web API client on it, and one way to handle a
failed Slack call (a log line naming the method, a counter, and a `SlackFailure` for the caller).

It is built with the rest of the bot and opened on the bot's event loop (an aiohttp session belongs
to one loop); listeners and the Slack announcer reach Slack only through it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncSlackResponse, AsyncWebClient

from bot.config import Settings
from bot.metrics import Metrics
from bot.redact import NO_SECRETS, Redactor

log = logging.getLogger("agentops.slack")
SLACK_TIMEOUT_SEC = 10


@dataclass(frozen=True)
class SlackFailure:
    """A Slack call that did not succeed: Slack's error code, or the transport's error name."""

    method: str
    code: str


class RedactingWebClient(AsyncWebClient):
    """The last line of defence for secrets: no configured secret leaves in a Web API call's arguments,
    whatever text (an upstream error quoting a password, say) reached a message."""

    redact: Redactor = NO_SECRETS

    async def api_call(self, api_method: str, *, json: dict | None = None, data: Any = None,
                       params: dict | None = None, **kwargs: Any) -> AsyncSlackResponse:
        if self.redact.secrets:
            json, params, data = self._redacted(json), self._redacted(params), self._redacted(data)
        return await super().api_call(api_method, json=json, data=data, params=params, **kwargs)

    def _redacted(self, args: Any) -> Any:
        # the call's own credential (apps.connections.open sends the app token as `token`) is not content
        if not isinstance(args, dict):
            return args
        return {k: v if k == "token" else self.redact.deep(v) for k, v in args.items()}


def build_web_client(settings: Settings, token: str | None,
                     session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """slack-sdk's own retry handlers: 429s wait out Retry-After, dropped connections retry.

    5xx answers are not retried: chat.postMessage is not idempotent and a retry could post twice.
    """
    client = RedactingWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SEC,
        session=session,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                        AsyncConnectionErrorRetryHandler(max_retry_count=2)],
    )
    client.redact = Redactor(settings.secret_values())
    return client


class SlackNotOpen(RuntimeError):
    """A Slack call before `open()` or after `close()`: a wiring bug, not an outage."""


class SlackEdge:
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings, self.metrics = settings, metrics
        self.redact = Redactor(settings.secret_values())
        self._http: aiohttp.ClientSession | None = None
        self._client: AsyncWebClient | None = None
        self._socket_connected: Callable[[], Awaitable[bool]] | None = None

    async def open(self, bot_token: str) -> AsyncWebClient:
        """On the bot's loop: the shared session and the Web API client on it."""
        self._http = aiohttp.ClientSession()
        self._client = build_web_client(self.settings, bot_token, self._http)
        return self._client

    def watch_socket(self, connected: Callable[[], Awaitable[bool]]) -> None:
        """Where `connected()` looks once the socket-mode link exists."""
        self._socket_connected = connected

    async def connected(self) -> bool:
        """Whether the socket-mode link is up, for /healthz and App Home."""
        return await self._socket_connected() if self._socket_connected else False

    @property
    def client(self) -> AsyncWebClient:
        if self._client is None:
            raise SlackNotOpen("the Slack edge is not open")
        return self._client

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            raise SlackNotOpen("the Slack edge is not open")
        return self._http

    async def call(self, method: str, request: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse | SlackFailure:
        """Await one Web API call; a failure is logged and counted once, here, and handed back as data."""
        try:
            return await request
        except SlackApiError as error:
            return self.failed(method, str(error.response.get("error") or error.response.status_code))
        except (aiohttp.ClientError, TimeoutError) as error:
            return self.failed(method, type(error).__name__)

    def failed(self, method: str, code: str) -> SlackFailure:
        log.error("slack %s failed: %s", method, code)
        self.metrics.slack_errors.labels(method=method, error=code).inc()
        return SlackFailure(method, code)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = self._client = None
