"""The domain without Slack: Deps announcing to memory, a manual clock, the embedded warehouse seeded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import ManualClock
from bot.config import load_settings
from bot.deps import Deps
from bot.runtime import build_deps, close_deps
from tests.helpers.announcer import MemoryAnnouncer
from tests.helpers.warehouses import seeded_data_dir


@dataclass
class Domain:
    deps: Deps
    announcer: MemoryAnnouncer
    clock: ManualClock

    async def settle(self, timeout_sec: float = 30.0) -> None:
        """Wait for the background work the last step started (investigations, approved actions)."""
        assert await self.deps.investigations.drain(timeout_sec) == 0, "background work did not finish"


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
