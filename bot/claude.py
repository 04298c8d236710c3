"""The Anthropic client, built from Settings only when a key is set (the SDK is a heavy import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    import anthropic


def anthropic_client(settings: Settings) -> anthropic.Anthropic | None:
    """The SDK retries 429/529 itself (honouring retry-after-ms); outages beyond that fall back."""
    if not settings.anthropic_api_key:
        return None
    import anthropic

    return anthropic.Anthropic(api_key=settings.anthropic_api_key.get_secret_value(),
                               base_url=settings.anthropic_base_url or None, max_retries=3, timeout=60)
