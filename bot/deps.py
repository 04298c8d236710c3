"""Deps: the clients built once from Settings and handed to handlers, jobs and the agent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp
import anthropic
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.fleet import FleetView
from bot.metrics import Metrics
from bot.ml_service import MLService
from bot.rules import RuleSet
from bot.store import Store
from bot.tracker import IssueTracker
from bot.warehouse import Warehouse
from bot.work import WorkSlots

if TYPE_CHECKING:
    from agents.knowledge import KnowledgeBase


@dataclass
class Deps:
    settings: Settings
    store: Store
    warehouse: Warehouse
    knowledge: KnowledgeBase
    fleet: FleetView
    rules: RuleSet
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(default_factory=Metrics)
    work: WorkSlots = field(default_factory=WorkSlots)
    # investigations can take a minute with Claude: their own, smaller pool, so they never hold
    # the slots that quick replies need
    investigations: WorkSlots = field(default_factory=lambda: WorkSlots(slots=3))
    # one HTTP session for all Slack calls and the Web API client on it, made on the bot's loop by the runtime
    http: aiohttp.ClientSession | None = None
    slack: AsyncWebClient | None = None
    # None without ANTHROPIC_API_KEY: investigations use the offline runbook investigator
    anthropic: anthropic.Anthropic | None = None
    ml_service: MLService | None = None
    # None without GITHUB_TOKEN and GITHUB_REPO: incidents are then tracked in Slack and the warehouse only
    tracker: IssueTracker | None = None
    # set by the runtime: whether the socket-mode link is up, for /healthz and App Home
    slack_connected: Callable[[], Awaitable[bool]] = field(default=lambda: _never())


async def _never() -> bool:
    return False
