"""The scheduled side of expiry: requests past their deadline are closed and their messages edited.

Expiry is enforced at click time regardless (the store refuses a late decision); this job makes
the channel show it, so nobody is left looking at live buttons on a dead request.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.deps import Deps
from bot.remediation import incidents
from bot.store.records import Approval

ABANDON_MARGIN = timedelta(minutes=10)  # beyond the training timeout, which bounds any live action


async def expire_due(deps: Deps) -> list[Approval]:
    now = deps.clock.now()
    expired = await asyncio.to_thread(deps.store.approvals.expire_due, now)
    for approval in expired:  # only the ones this replica expired: each is handled once
        await asyncio.to_thread(deps.store.audit.record, actor="agentops", action="approval.expire",
                                subject=approval.request_id, outcome="expired", now=now,
                                details={"action": approval.action, "target": approval.target})
        deps.metrics.approvals.labels(decision="expired").inc()
        await deps.announcer.approval_closed(approval)
        await incidents.approval_closed(deps, approval, now)
    return expired


async def abandon_stale_actions(deps: Deps) -> list[Approval]:
    """Actions a stopped bot left running, past any time they could legitimately take: closed as failed,
    said in their thread and on the incident, so nothing looks done that was not verified."""
    now = deps.clock.now()
    longest = timedelta(seconds=deps.settings.training_timeout_sec) + ABANDON_MARGIN
    abandoned = await asyncio.to_thread(deps.store.approvals.abandon_stale_actions, now, longest)
    for approval in abandoned:
        await asyncio.to_thread(deps.store.audit.record, actor="agentops", action=f"action.{approval.action}",
                                subject=approval.request_id, outcome="failed", now=now,
                                details={"target": approval.target, "details": approval.action_details})
        await deps.announcer.action_abandoned(approval)
        await incidents.action_recorded(deps, approval, "failed", approval.action_details or "", now)
        await incidents.action_finished(deps, approval, now)
    return abandoned
