"""Building the Claude investigator as the bot does (Settings → bot.claude's client) against a
scripted Messages API, and reading what it sent."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from agents.loop import ClaudeInvestigator
from agents.tools.registry import Tool
from bot.claude import anthropic_client
from bot.config import Settings, load_settings


def claude_settings(base_url: str, **overrides: Any) -> Settings:
    return load_settings(anthropic_api_key="sk-ant-test", anthropic_base_url=base_url, **overrides)


def investigator(base_url: str, offered: dict[str, Tool] | None = None, **overrides: Any) -> ClaudeInvestigator:
    settings = claude_settings(base_url, **overrides)
    client = anthropic_client(settings)
    assert client is not None
    return ClaudeInvestigator(client, settings, offered)


def tool_results(request: dict) -> list[dict]:
    """Every tool_result the request carries, oldest first."""
    return [c for m in request["messages"] if m["role"] == "user" and isinstance(m["content"], list)
            for c in m["content"] if c.get("type") == "tool_result"]


class RunningClock:
    """Real time passing from a chosen start: the seeded scenario's 'now', for tests that time sockets."""

    def __init__(self, start: datetime) -> None:
        self.start, self._started = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._started)
