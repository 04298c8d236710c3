"""What /metrics reads just before it answers: the state store's counts of firing alerts, pending approvals
and open incidents (one query, whatever the number of alerts), and whether the Slack socket is up.

A scrape never fails or hangs on the store: a slow or unreachable store leaves the gauges at what was
last read (agentops_state_counts_timestamp_seconds says when), and the rest of the exposition is served.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from bot.deps import Deps
from bot.store import Store
from bot.store.incidents import OPEN_STATUSES
from bot.store.tables import alerts, approvals, incidents

log = logging.getLogger("agentops.metrics")
# a scrape answers within Prometheus' default 10 s timeout even when the store or the socket check is stuck
STORE_WAIT_SEC = 2.0
SOCKET_WAIT_SEC = 1.0


def store_counts(store: Store) -> tuple[int, int, int]:
    """(firing alerts, pending approvals, open incidents) in one round trip."""
    def count(table, condition):
        return select(func.count()).select_from(table).where(condition).scalar_subquery()

    with store.engine.connect() as conn:
        row = conn.execute(select(count(alerts, alerts.c.status == "firing"),
                                  count(approvals, approvals.c.status == "pending"),
                                  count(incidents, incidents.c.status.in_(OPEN_STATUSES)))).one()
    return int(row[0]), int(row[1]), int(row[2])


class ScrapeRefresh:
    def __init__(self, deps: Deps, slack_connected: Callable[[], Awaitable[bool]]) -> None:
        self.deps, self.slack_connected = deps, slack_connected
        # a read still going when its scrape gave up on it: the next scrape waits for it rather than
        # piling another connection onto a slow store
        self._reading: asyncio.Future[tuple[int, int, int]] | None = None

    async def refresh(self) -> None:
        state = self.deps.metrics.state
        state.sweep_interval.set(self.deps.settings.monitor_poll_interval_sec)
        try:
            connected = await asyncio.wait_for(self.slack_connected(), SOCKET_WAIT_SEC)
        except Exception:  # a check that fails or hangs says the link is not usable
            connected = False
        state.slack_connected.set(1 if connected else 0)
        await self._store_counts()

    async def _store_counts(self) -> None:
        if self._reading is None:
            self._reading = asyncio.ensure_future(asyncio.to_thread(store_counts, self.deps.store))
        reading = self._reading
        try:
            counts = await asyncio.wait_for(asyncio.shield(reading), STORE_WAIT_SEC)
        except TimeoutError:
            return  # served as last known; the read goes on and the next scrape takes its answer
        except Exception as error:
            self._reading = None
            now = self.deps.clock.now()
            if not self.deps.store_outages.reported(error, "counting alerts for /metrics", now):
                log.warning("counting alerts for /metrics failed: %s", error)
            return
        self._reading = None
        self.deps.metrics.state.counts(*counts, at=self.deps.clock.now())
