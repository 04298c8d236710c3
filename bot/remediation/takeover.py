"""The periodic takeover of approved actions a replica that died left: run by every replica every half
lease, so another one resumes an action within about 1.5 × `ACTION_LEASE_SEC` of its holder's last heartbeat.

- approved, never claimed, decided over a lease ago (the deciding replica died before claiming it):
  the buttons are taken off its request and it is started — once, the claim is a compare-and-set;
- running with a lapsed lease: taken over (compare-and-set on the holder and lease seen) and, if its
  write was sent, verified from the ML service's own state; if not, run from the start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from bot.deps import Deps
from bot.remediation.execute import carry_out, execute_approved
from bot.remediation.lease import lease_of, replica_of

log = logging.getLogger("agentops.actions")
# a running action claimed before leases existed: taken over only past any time it could still take
UNLEASED_AFTER = timedelta(minutes=10)


async def resume_due(deps: Deps) -> int:
    """Start what is due in the background (actions run for minutes); how many were started."""
    now, lease = deps.clock.now(), lease_of(deps)
    store = deps.store.approvals
    unclaimed = await asyncio.to_thread(store.unclaimed, now, lease)
    lapsed = await asyncio.to_thread(store.lapsed, now, UNLEASED_AFTER + timedelta(
        seconds=deps.settings.training_timeout_sec))
    for request_id in unclaimed:
        deps.investigations.spawn(_logged(start_unclaimed(deps, request_id), request_id))
    for request_id in lapsed:
        deps.investigations.spawn(_logged(take_over(deps, request_id), request_id))
    return len(unclaimed) + len(lapsed)


async def _logged(resuming: Coroutine[Any, Any, str | None], request_id: str) -> None:
    try:
        await resuming
    except Exception:  # the store went away mid-way, say: the claim lapses again and the next pass retries
        log.exception("resuming action %s failed; the next pass retries", request_id)


async def start_unclaimed(deps: Deps, request_id: str) -> str | None:
    approval = await asyncio.to_thread(deps.store.approvals.get, request_id)
    if approval is None or approval.status != "approved" or approval.action_status is not None:
        return None  # claimed meanwhile
    log.warning("starting approved action %s (%s on %s), which the replica that recorded the decision never "
                "started", request_id, approval.action, approval.target)
    await deps.announcer.approval_closed(approval)  # that replica may have died before taking the buttons off
    return await execute_approved(deps, approval)


async def take_over(deps: Deps, request_id: str) -> str | None:
    now = deps.clock.now()
    taken = await asyncio.to_thread(deps.store.approvals.take_over, request_id, now, replica_of(deps),
                                    lease_of(deps))
    if taken is None:
        return None  # renewed, finished or taken by another replica meanwhile
    sent = taken.action_phase != "claimed"  # a row from before phases were recorded may have been sent
    log.warning("taking over action %s (%s on %s), whose lease lapsed; %s", request_id, taken.action,
                taken.target, "verifying it" if sent else "nothing was sent: starting it")
    await asyncio.to_thread(deps.store.audit.record, actor="agentops", action=f"action.{taken.action}",
                            subject=request_id, outcome="taken_over", now=now,
                            details={"target": taken.target, "phase": taken.action_phase or "",
                                     "run_id": taken.action_run_id or ""})
    report = await deps.announcer.action_resumed(taken)
    report.step("taken over after the replica running it stopped; " +
                ("verifying it on the ML service" if sent else "starting it"))
    return await carry_out(deps, taken, report)
