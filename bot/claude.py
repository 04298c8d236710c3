"""The Anthropic client, built from Settings only when a key is set (the SDK is a heavy import).

Every attempt has a short timeout and the SDK retries 429/5xx/connection errors a few times. The SDK
honours any retry-after up to 60 s; a response hook caps it at ANTHROPIC_MAX_RETRY_AFTER_SEC, so one
rate-limited call cannot spend the investigation's deadline waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    import anthropic
    import httpx


def anthropic_client(settings: Settings) -> anthropic.Anthropic | None:
    if not settings.anthropic_api_key:
        return None
    import anthropic

    http_client = anthropic.DefaultHttpxClient(
        event_hooks={"response": [retry_after_cap(settings.anthropic_max_retry_after_sec)]})
    return anthropic.Anthropic(api_key=settings.anthropic_api_key.get_secret_value(),
                               base_url=settings.anthropic_base_url or None, http_client=http_client,
                               max_retries=settings.anthropic_max_retries, timeout=settings.anthropic_timeout_sec)


def retry_after_cap(limit_sec: float) -> Callable[[httpx.Response], None]:
    """An httpx response hook lowering retry-after(-ms) to `limit_sec`; a date becomes the limit too."""
    def cap(response: httpx.Response) -> None:
        for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
            value = response.headers.get(name)
            if value is None:
                continue
            try:
                seconds = float(value) / scale
            except ValueError:  # an HTTP date: we do not wait for a clock we cannot trust
                seconds = limit_sec + 1
            if seconds > limit_sec:
                response.headers[name] = f"{limit_sec * scale:g}"
    return cap
