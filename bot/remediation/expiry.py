"""The scheduled side of expiry: requests past their deadline are closed and their messages edited.

Expiry is enforced at click time regardless (the store refuses a late decision); this job makes
the channel show it, so nobody is left looking at live buttons on a dead request. Actions a stopped
replica left are taken over by bot/remediation/takeover.py.
"""

from __future__ import annotations

import asyncio

from bot.deps import Deps
from bot.remediation import incidents
from bot.store.records import Approval


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
