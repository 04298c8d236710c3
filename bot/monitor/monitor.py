"""The scheduled job: one sweep, then the notifier; an unreadable warehouse becomes one alert of its own."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from datetime import datetime, timedelta

from bot.budgets.caps import observe_budgets
from bot.deps import Deps
from bot.monitor.notifier import Notifier
from bot.monitor.sweep import RUNBOOKS, WAREHOUSE_FINGERPRINT, Alert, sweep
from bot.postmortems import drafting as postmortems
from bot.remediation import incidents
from bot.warehouse import WarehouseError, WarehouseUnavailable
from bot.warehouse.schema import ensure_schema

log = logging.getLogger("agentops.monitor")
# a tick is stuck only past this: a sweep's queries, its posts' repost deadline (one interval) and the
# store's own timeouts all fit well within it
TICK_MAY_RUN_SEC, TICK_MAY_RUN_INTERVALS = 300.0, 10


def source_unavailable(error: WarehouseError, now: datetime) -> Alert:
    """The one notice for an outage; deduplicated like any alert, resolved when a sweep succeeds."""
    return Alert(hashlib.sha1(f"{WAREHOUSE_FINGERPRINT}|{now.date()}".encode()).hexdigest()[:16],
                 WAREHOUSE_FINGERPRINT, "warning", "data_quality", "warehouse", {"error": str(error)[:300]},
                 f"data source unavailable: {error}"[:500], now, now, RUNBOOKS["data_quality"])


class Monitor:
    def __init__(self, deps: Deps, replica: str) -> None:
        self.deps = deps
        self.notifier = Notifier(deps, replica)
        self.last_tick_at: datetime | None = None  # when the latest tick finished
        self.tick_started_at: datetime | None = None  # when the tick in progress (if any) began
        self._schema_checked = False

    async def tick(self) -> list[Alert]:
        """One sweep and its notifications; returns what fires. Never raises: the schedule goes on."""
        # started before waiting for a slot: a tick queued behind slow work is in progress, not stalled
        self.tick_started_at = self.deps.clock.now()
        try:
            return await self._tick()
        finally:
            self.last_tick_at, self.tick_started_at = self.deps.clock.now(), None

    async def _tick(self) -> list[Alert]:
        async with self.deps.work.slot():  # yields to pending acks; drained at shutdown
            now, started = self.deps.clock.now(), time.monotonic()
            try:
                if not self._schema_checked:  # here, not at start-up: an outage must not delay start-up
                    await self._ensure_schema()
                result = await asyncio.to_thread(sweep, self.deps.warehouse, self.deps.rules, now)
                alerts = result.alerts
                self.deps.fleet.reachable()
            except WarehouseError as error:
                if not isinstance(error, WarehouseUnavailable):
                    log.error("sweep query failed: %s", error)
                self.deps.fleet.unavailable(error)  # status and App Home answer from the last snapshot
                result, alerts = None, [source_unavailable(error, now)]
            try:
                await self.notifier.apply({a.fingerprint: a for a in alerts}, result, now)
                # the spend gauges read again each sweep: at the top of the hour they fall back to this hour's
                # spend even when no model call is made (the budget alerts compare them with the caps)
                deps = self.deps
                await asyncio.to_thread(observe_budgets, deps.metrics, deps.store.spend, deps.settings, now)
                if result is not None:
                    await incidents.record_pending(self.deps, now)
                    # read and recorded: what agentops-rules.yml's SweepStalled watches
                    self.deps.metrics.state.sweep_succeeded(self.deps.clock.now())
                await postmortems.post_unposted(self.deps, now)  # drafts whose post failed, posted again
                self.deps.store_outages.recovered()
            except Exception as error:
                if not self.deps.store_outages.reported(error, "recording a sweep's alerts", now):
                    log.exception("notifying the sweep's alerts failed; the next sweep retries")
            self.deps.metrics.sweeps.labels(outcome="ok" if result is not None else "warehouse_unavailable").inc()
            self.deps.metrics.timings.sweep.observe(time.monotonic() - started)
            return alerts

    async def _ensure_schema(self) -> None:
        try:
            await asyncio.to_thread(ensure_schema, self.deps.warehouse)
        except WarehouseUnavailable:
            raise  # an outage: reported as one, checked again next sweep
        except WarehouseError as error:  # e.g. a role that may read but not CREATE: sweep what exists
            log.warning("could not create the warehouse tables (%s); sweeping the existing ones", error)
        self._schema_checked = True

    def alive(self, now: datetime) -> bool:
        """The schedule did not stall: a tick finished recently enough, or one is running and has not run
        far longer than a tick may (a Slack outage makes a tick last up to its interval, by design)."""
        interval = self.deps.settings.monitor_poll_interval_sec
        if self.tick_started_at is not None:
            may_run = max(TICK_MAY_RUN_SEC, TICK_MAY_RUN_INTERVALS * interval)
            return now - self.tick_started_at <= timedelta(seconds=may_run)
        if self.last_tick_at is None:
            return True
        return now - self.last_tick_at <= timedelta(seconds=max(60.0, 3 * interval))
