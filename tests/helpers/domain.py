"""The domain without Slack: Deps announcing to memory, a manual clock, the embedded warehouse seeded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.clock import ManualClock
from bot.config import load_settings
from bot.deps import ClaimOrder, ClaudeHealth, Deps
from bot.leases import HeldInvestigations
from bot.metrics import Metrics
from bot.runtime import build_deps, close_deps
from bot.store import open_store
from bot.work import WorkSlots
from tests.helpers.announcer import MemoryAnnouncer
from tests.helpers.warehouses import seeded_data_dir


@dataclass
class Domain:
    deps: Deps
    announcer: MemoryAnnouncer
    clock: ManualClock

    async def settle(self, timeout_sec: float = 30.0) -> None:
        """Wait for the background work the last step started (investigations, auto-investigations, approved
        actions)."""
        assert await self.deps.investigations.drain(timeout_sec) == 0, "background work did not finish"
        assert await self.deps.auto_investigations.drain(timeout_sec) == 0, "auto-investigations did not finish"
        assert await self.deps.replays.drain(timeout_sec) == 0, "replays did not finish"


@contextmanager
def replica(first: Domain) -> Iterator[Domain]:
    """Another replica beside `first`: its own state-store connections, clock, pools, claims and
    announcer, the same state database and warehouse (one embedded warehouse per process)."""
    clock, announcer = ManualClock(first.clock.now()), MemoryAnnouncer()
    store = open_store(first.deps.settings.state_database_url)
    deps = replace(first.deps, store=store, announcer=announcer, clock=clock, metrics=Metrics(), work=WorkSlots(),
                   investigations=WorkSlots(slots=3), auto_investigations=WorkSlots(slots=2),
                   replays=WorkSlots(slots=1), replaying=set(),
                   investigation_leases=HeldInvestigations(), investigation_claims=ClaimOrder(),
                   claude_health=ClaudeHealth())
    try:
        yield Domain(deps, announcer, clock)
    finally:
        store.close()


@contextmanager
def domain(data_dir: Path, now: datetime, scenario: str | None = "drift", **settings: object) -> Iterator[Domain]:
    clock = ManualClock(now)
    announcer = MemoryAnnouncer()
    if scenario:
        seeded_data_dir(data_dir, scenario, now)
    deps = build_deps(load_settings(agentops_data_dir=data_dir, **({"repeat_interval": "30m"} | settings)),
                      announcer, clock)
    try:
        yield Domain(deps, announcer, clock)
    finally:
        close_deps(deps)
