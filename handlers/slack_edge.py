"""The bot's Slack connection: one HTTP session, the Web API client on it, and one way to handle a
failed Slack call (a log line naming the method, a counter, and a `SlackFailure` for the caller).

It is built with the rest of the bot and opened on the bot's event loop (an aiohttp session belongs
to one loop); listeners and the Slack announcer reach Slack only through it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncSlackResponse, AsyncWebClient

from bot.config import Settings
from bot.metrics import Metrics
from bot.operator_metrics import slack_method
from bot.redact import NO_SECRETS, Redactor

log = logging.getLogger("agentops.slack")
# Slack methods that create something each time they are called: a retry after a lost answer could make
# it twice, so only a caller that can look for the first one (handlers/own_posts.py) repeats them
NOT_IDEMPOTENT = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal",
                            "chat.startStream", "chat.appendStream", "reactions.add"})
# a Retry-After longer than this is not waited out inside the call (it would hold a sweep): the call
# fails as rate limited and its caller retries it later, after the Retry-After
MAX_INLINE_RETRY_AFTER_SEC = 5.0
# Slack's error codes for "not now" (it may answer again), besides HTTP 429 and 5xx
UNAVAILABLE_CODES = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                               "request_timeout"})


@dataclass(frozen=True)
class SlackFailure:
    """A Slack call that did not succeed: Slack's error code, or the transport's error name.

    `unavailable`: Slack (or the way to it) was down or busy, so the same call may succeed later;
    `maybe_done`: Slack may have done it without us hearing so (a 5xx, a reset, a timeout)."""

    method: str
    code: str
    status: int | None = None
    retry_after: float | None = None

    @property
    def unavailable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500 or self.code in UNAVAILABLE_CODES

    @property
    def maybe_done(self) -> bool:
        return self.unavailable and self.status != 429 and self.code != "ratelimited"


class RedactingWebClient(AsyncWebClient):
    """The last line of defence for secrets: no configured secret leaves in a Web API call's arguments,
    whatever text (an upstream error quoting a password, say) reached a message."""

    redact: Redactor = NO_SECRETS
    # told each call's method and seconds, retries included (agentops_slack_call_duration_seconds)
    observe: Callable[[str, float], None] | None = None

    async def api_call(self, api_method: str, *, json: dict | None = None, data: Any = None,
                       params: dict | None = None, **kwargs: Any) -> AsyncSlackResponse:
        if self.redact.secrets:
            json, params, data = self._redacted(json), self._redacted(params), self._redacted(data)
        started = time.perf_counter()
        try:
            return await super().api_call(api_method, json=json, data=data, params=params, **kwargs)
        finally:
            if self.observe is not None:
                self.observe(api_method, time.perf_counter() - started)

    def _redacted(self, args: Any) -> Any:
        # the call's own credential (apps.connections.open sends the app token as `token`) is not content
        if not isinstance(args, dict):
            return args
        return {k: v if k == "token" else self.redact.deep(v) for k, v in args.items()}


def _method(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


class IdempotentConnectionRetry(AsyncConnectionErrorRetryHandler):
    """A dropped connection is retried for reads and edits only: a post may have been made."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        return _method(request) not in NOT_IDEMPOTENT and await super()._can_retry_async(
            state=state, request=request, response=response, error=error)


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """A 429 is waited out inside the call only when its Retry-After is short (Slack did nothing, so
    even a post may be repeated)."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        wait = retry_after(response.headers if response is not None else {})
        return await super()._can_retry_async(state=state, request=request, response=response, error=error) and (
            wait is None or wait <= MAX_INLINE_RETRY_AFTER_SEC)


def retry_after(headers: Mapping[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


def build_web_client(settings: Settings, token: str | None, session: aiohttp.ClientSession | None = None,
                     observe: Callable[[str, float], None] | None = None) -> AsyncWebClient:
    """slack-sdk's own retry handlers: short 429s wait out Retry-After, dropped connections retry
    except for posts (see NOT_IDEMPOTENT). 5xx answers are not retried here: Slack may have done it.
    """
    client = RedactingWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=ceil(settings.slack_timeout_sec),  # slack-sdk applies it only without a shared session
        session=session,
        retry_handlers=[ShortRateLimitRetry(max_retry_count=3), IdempotentConnectionRetry(max_retry_count=2)],
    )
    client.redact, client.observe = Redactor(settings.secret_values()), observe
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
        # what must stop before the session closes (the retries of failed steps, handlers/slack_retry.py)
        self.closing: list[Callable[[], Awaitable[None]]] = []

    async def open(self, bot_token: str) -> AsyncWebClient:
        """On the bot's loop: the shared session and the Web API client on it."""
        # with a shared session slack-sdk sends no timeout of its own, so the session carries it
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.settings.slack_timeout_sec))
        self._client = build_web_client(self.settings, bot_token, self._http, observe=self.metrics.timings.slack)
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
            answer = error.response
            return self.failed(method, str(answer.get("error") or answer.status_code), answer.status_code,
                               retry_after(answer.headers or {}))
        except (aiohttp.ClientError, TimeoutError) as error:
            return self.failed(method, type(error).__name__)

    def failed(self, method: str, code: str, status: int | None = None,
               retry_after: float | None = None) -> SlackFailure:
        log.error("slack %s failed: %s", method, code)
        self.metrics.slack_errors.labels(method=slack_method(method), error=code).inc()
        return SlackFailure(method, code, status, retry_after)

    async def close(self) -> None:
        for stop in self.closing:
            await stop()
        if self._http is not None:
            await self._http.close()
        self._http = self._client = None
