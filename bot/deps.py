"""Deps: everything the domain needs, built once from Settings and complete when built — handed to
the monitor, investigations, approvals, actions and incidents, and to the listeners that call them."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.fleet import FleetView
from bot.leases import HeldInvestigations
from bot.metrics import Metrics
from bot.ml_service import MLService
from bot.notify import Announcer
from bot.permissions.governance import Governance
from bot.permissions.policy import load_action_policy
from bot.rules import RuleSet
from bot.store import Store
from bot.store.outage import StoreOutageLog
from bot.tracker import IssueTracker
from bot.warehouse import Warehouse
from bot.work import WorkSlots

if TYPE_CHECKING:  # heavy imports, needed only where they are used (the CLI starts without them)
    import anthropic

    from agents.knowledge import KnowledgeBase


class ClaimOrder:
    """First come, first served per key (an alert post): an asyncio.Lock serves its waiters in order.
    Clicks on other posts never wait behind a slow lookup; a key nobody holds keeps no lock."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def of(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


@dataclass
class ClaudeHealth:
    """The latest configuration problem Claude reported (a rejected key, model or request), shown on
    /healthz until Claude answers an investigation again: retrying will not fix it, people must."""

    problem: str = ""


@dataclass
class Deps:
    settings: Settings
    store: Store
    warehouse: Warehouse
    knowledge: KnowledgeBase
    fleet: FleetView
    rules: RuleSet
    ml_service: MLService
    # where domain services say what happened (the Slack edge when running; in memory in tests)
    announcer: Announcer
    # None without ANTHROPIC_API_KEY: investigations use the offline runbook investigator
    anthropic: anthropic.Anthropic | None = None
    # None without GITHUB_TOKEN and GITHUB_REPO: incidents are then tracked in Slack and the warehouse only
    tracker: IssueTracker | None = None
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(default_factory=Metrics)
    work: WorkSlots = field(default_factory=WorkSlots)
    # investigations can take a minute with Claude: their own, smaller pool, so they never hold
    # the slots that quick replies need
    investigations: WorkSlots = field(default_factory=lambda: WorkSlots(slots=3))
    # auto-investigations (AUTO_INVESTIGATE) queue in a pool of their own: an alert storm never makes
    # a person's Investigate click wait behind it
    auto_investigations: WorkSlots = field(default_factory=lambda: WorkSlots(slots=2))
    # replays (/agentops replay) queue in a pool of one: a Claude replay is many investigations' worth of
    # Messages API calls and never holds a slot an investigation or an approved action needs
    replays: WorkSlots = field(default_factory=lambda: WorkSlots(slots=1))
    # the investigations being replayed (queued or running) on this replica: one replay of each at a time
    replaying: set[str] = field(default_factory=set)
    # the investigations this replica claimed, whose leases it renews
    investigation_leases: HeldInvestigations = field(default_factory=HeldInvestigations)
    claude_health: ClaudeHealth = field(default_factory=ClaudeHealth)
    # a state store outage is one warning line per kind per minute, wherever it is met
    store_outages: StoreOutageLog = field(default_factory=StoreOutageLog)
    # Investigate clicks on one alert post claim their investigation in the order they arrived: the first
    # clicker is the requester, whom the four-eyes rule keeps from approving
    investigation_claims: ClaimOrder = field(default_factory=lambda: ClaimOrder())
    # environments and permissions: the action policy in force, earned levels, approver groups
    governance: Governance = field(default_factory=lambda: Governance(load_action_policy(None), None, 300.0))
