"""The heartbeat of posts in progress: while a replica posts (Slack may be slow), it renews its claims on
them, so no live replica is overtaken and a dead one's claims lapse within one lease."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from bot.deps import Deps

log = logging.getLogger("agentops.monitor")


@asynccontextmanager
async def claims_renewed(deps: Deps, replica: str, lease: timedelta, alert_ids: list[str],
                         group_key: str | None = None) -> AsyncIterator[None]:
    """Renews the alerts' post claims every lease/4 while the block runs — an ingested group's claim too,
    or a sender's resend on another replica would take the group and post it a second time."""
    async def beat() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 4)
            try:
                now = deps.clock.now()
                await asyncio.to_thread(deps.store.alerts.renew_post_claims, alert_ids, replica, now)
                if group_key is not None:
                    await asyncio.to_thread(deps.store.ingest_groups.renew, group_key, replica, now)
            except Exception as error:  # the store is down: the post itself will fail to record
                log.warning("renewing post claims failed (%s)", type(error).__name__)

    task = asyncio.create_task(beat()) if alert_ids else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
