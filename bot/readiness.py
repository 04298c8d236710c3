"""Liveness and readiness, kept apart so that an outage elsewhere never restarts every replica at once.

Liveness (/healthz) is about this process: it fails only when the process is stuck (the monitor's
schedule stopped finishing sweeps). Readiness (/readyz) is about what it depends on — the warehouse,
the state store and Slack (those READINESS_REQUIRES names) — and names every one that is down
(Claude's problems are only warnings). Both answer at once: the warehouse's state is what the last
sweep or read found, and the store is pinged on a thread of its own, one ping at a time, so a hung
database never stalls a probe or the worker threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from bot.deps import Deps

# a probe answers within this (orchestrators' probe timeouts are a second or a few)
PING_WAIT_SEC = 1.0
# a store ping is reused for this long: probes from several orchestrator components share it
PING_REUSE = timedelta(seconds=5)


class Readiness:
    def __init__(self, deps: Deps, slack_connected: Callable[[], Awaitable[bool]],
                 scheduler_alive: Callable[[], bool] | None = None) -> None:
        self.deps, self.slack_connected, self.scheduler_alive = deps, slack_connected, scheduler_alive
        self._pinger = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-ping")
        self._ping: asyncio.Future[bool] | None = None
        self._pinged_at: datetime | None = None

    def alive(self) -> tuple[bool, dict[str, object]]:
        """(alive, body) for /healthz."""
        scheduler = self.scheduler_alive() if self.scheduler_alive else None
        alive = scheduler is not False
        return alive, {"status": "ok" if alive else "stuck", "checks": {"scheduler": scheduler}}

    async def ready(self) -> tuple[bool, dict[str, object]]:
        """(ready, body) for /readyz: each dependency true, or the reason it is down."""
        problem = self.deps.fleet.known_problem()
        checks: dict[str, object] = {
            "warehouse": problem or True,
            "state_store": await self._store() or "no answer to a ping (see the log for why)",
            "slack_socket": await self.slack_connected() or "the socket-mode connection is down",
        }
        down = [name for name, value in checks.items() if value is not True]
        # READINESS_REQUIRES may leave a check out (ingest needs only the store): it is still reported
        required = self.deps.settings.readiness_requires
        ready = not any(name in required for name in down)
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "down": down, "checks": checks}
        if len(required) < len(checks):
            body["required"] = list(required)
        # Claude refusing the configuration is for people to fix, not a reason to take a replica out of
        # rotation: the offline investigator answers meanwhile, on every replica alike
        if self.deps.claude_health.problem:
            body["warnings"] = [f"claude: {self.deps.claude_health.problem}"]
        return ready, body

    async def _store(self) -> bool:
        now = self.deps.clock.now()
        reusable = self._pinged_at is not None and now - self._pinged_at < PING_REUSE
        if self._ping is None or (self._ping.done() and not reusable):
            self._ping = asyncio.get_running_loop().run_in_executor(self._pinger, self.deps.store.ping)
            self._pinged_at = now
        try:
            return await asyncio.wait_for(asyncio.shield(self._ping), PING_WAIT_SEC)
        except TimeoutError:
            return False  # still waiting for its connection timeout: not ready, whatever it says later

    def close(self) -> None:
        self._pinger.shutdown(wait=False, cancel_futures=True)
