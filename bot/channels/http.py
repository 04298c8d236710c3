"""One JSON POST with a timeout and a bounded retry: what the webhook and PagerDuty channels share.

Only what another attempt can fix is retried (a timeout, a dropped connection, 5xx, 429); any other
answer (a 4xx: the event itself is wrong) fails at once with what the receiver said, redacted and cut.
"""

from __future__ import annotations

import asyncio

import httpx

from bot.paging import PageFailed
from bot.redact import Redactor

ATTEMPTS = 3
BACKOFF_SEC = 0.25  # doubled each attempt: a brief outage is ridden out within a second or so


def _retryable(status: int) -> bool:
    return status >= 500 or status == 429


async def post_json(url: str, body: bytes, headers: dict[str, str], *, timeout_sec: float, redact: Redactor,
                    what: str, attempts: int = ATTEMPTS) -> httpx.Response:
    """The first acceptable (2xx) response; PageFailed after the last attempt or on a final refusal."""
    problem = ""
    async with httpx.AsyncClient(timeout=timeout_sec, follow_redirects=False) as client:
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(BACKOFF_SEC * 2 ** (attempt - 1))
            try:
                response = await client.post(url, content=body, headers={"Content-Type": "application/json",
                                                                         **headers})
            except httpx.TransportError as error:  # timeouts, refused and dropped connections
                problem = f"{type(error).__name__}"
                continue
            if response.is_success:
                return response
            problem = f"HTTP {response.status_code}: {redact(response.text)[:300]}"
            if not _retryable(response.status_code):
                raise PageFailed(f"{what} refused the page ({problem})")
    raise PageFailed(f"{what} unreachable after {attempts} attempts ({problem})")
