"""The periodic takeover of approved actions a replica that died left: run by every replica every half
lease, so another one resumes an action within about 1.5 × `ACTION_LEASE_SEC` of its holder's last heartbeat.

- approved, never claimed, decided over a lease ago (the deciding replica died before claiming it):
  the buttons are taken off its request and it is started — once, the claim is a compare-and-set; decided
  longer ago than NEVER_STARTED_AFTER, it is closed as failed instead, with a note to approve it again;
- running with a lapsed lease: taken over (compare-and-set on the holder and lease seen) and, if its
  write was sent, verified from the ML service's own state; if not, run from the start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from bot.deps import Deps
from bot.remediation import incidents
from bot.remediation.execute import MAX_TAKEOVERS, audit_outcome, carry_out, claim, retried, run_claimed
from bot.remediation.lease import lease_of, replica_of, running_here
from bot.store.records import Approval

log = logging.getLogger("agentops.actions")
# a running action claimed before leases existed: taken over only past any time it could still take
UNLEASED_AFTER = timedelta(minutes=10)
# an approval nobody started within this (left by a bot from before claims, or by an outage of the store
# lasting longer) is closed, not run: the state it was approved for is long gone. Far above the lease a
# live replica needs to start it, and the takeover that follows a replica's death within ~1.5 leases
# (with a long ACTION_LEASE_SEC, three leases).
NEVER_STARTED_AFTER = timedelta(minutes=5)


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
    with running_here(deps, request_id) as free:
        approval = await asyncio.to_thread(deps.store.approvals.get, request_id)
        if not free or approval is None or approval.status != "approved" or approval.action_status is not None:
            return None  # claimed meanwhile
        started = deps.clock.now()
        if not await claim(deps, approval, started):
            return None
        await deps.announcer.approval_closed(approval)  # that replica may have died before taking the buttons off
        too_late = max(NEVER_STARTED_AFTER, 3 * lease_of(deps))
        if approval.decided_at is not None and started - approval.decided_at > too_late:
            return await close_never_started(deps, approval, started)
        log.warning("starting approved action %s (%s on %s), which the replica that recorded the decision "
                    "never started", request_id, approval.action, approval.target)
        return await run_claimed(deps, approval, started)


async def close_never_started(deps: Deps, approval: Approval, now: datetime) -> str:
    """Closed as failed without touching the ML service: people approve it again if it is still wanted."""
    decided = approval.decided_at.strftime("%Y-%m-%d %H:%M UTC") if approval.decided_at else "an unknown time"
    details = (f"approved at {decided} by {approval.decided_by or 'someone'} but never started; nothing was "
               "sent to the ML service. If it is still wanted, investigate again and approve the new request.")
    log.warning("closing approved action %s (%s on %s) as failed: decided at %s, never started", approval.request_id,
                approval.action, approval.target, decided)
    # closed first: whatever fails after, it can never be run (a claim left running would be, on takeover)
    await asyncio.to_thread(deps.store.approvals.finish_action, approval.request_id, "failed", details, now,
                            replica_of(deps))
    await retried("record it on its incident", lambda: incidents.action_recorded(deps, approval, "failed",
                                                                                  details, now))
    await audit_outcome(deps, approval, "failed", now, {"target": approval.target, "details": details})
    deps.metrics.actions.labels(action=approval.action, status="failed").inc()
    closed = await asyncio.to_thread(deps.store.approvals.get, approval.request_id)
    await deps.announcer.action_abandoned(closed or approval)
    await retried("resolve the incident it deferred", lambda: incidents.action_finished(deps, approval, now))
    return "failed"


async def take_over(deps: Deps, request_id: str) -> str | None:
    with running_here(deps, request_id) as free:
        # running in this process right now (its lease lapsed through a store outage, say): that run records it
        return await _take_over(deps, request_id) if free else None


async def _take_over(deps: Deps, request_id: str) -> str | None:
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
    takeovers = [e for e in await asyncio.to_thread(deps.store.audit.entries, request_id) if e.outcome == "taken_over"]
    report = await deps.announcer.action_resumed(taken)
    report.step("taken over after the replica running it stopped; " +
                ("verifying it on the ML service" if sent else "starting it"))
    return await carry_out(deps, taken, report, last_try=len(takeovers) >= MAX_TAKEOVERS)
