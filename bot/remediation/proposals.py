"""From proposals to approval requests: each gated action a diagnosis proposes becomes a request in
the state store (audited), then is announced in the investigation's thread, where its buttons carry
only the request id."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from agents.diagnosis import GATED_ACTIONS, Diagnosis
from bot.deps import Deps
from bot.notify import PostRef
from bot.store.records import Approval


async def request_approvals(deps: Deps, diagnosis: Diagnosis, *, engine: str, requested_by: str,
                            investigation_id: str, alert_id: str | None, thread: PostRef) -> list[Approval]:
    settings = deps.settings
    requested = []
    for proposal in sorted(diagnosis.recommended_actions, key=lambda a: a.priority):
        if proposal.action not in GATED_ACTIONS:  # the rest are for people to do; they are in the diagnosis
            continue
        reason = diagnosis.root_cause + (f" ({proposal.condition})" if proposal.condition else "")
        now = deps.clock.now()
        approval = await asyncio.to_thread(
            deps.store.approvals.request, action=proposal.action, target=proposal.target, reason=reason[:1500],
            proposed_by=engine, requested_by=requested_by, now=now,
            timeout=timedelta(seconds=settings.approval_timeout_sec), investigation_id=investigation_id,
            alert_id=alert_id)
        await asyncio.to_thread(deps.store.audit.record, actor=engine, action="approval.request",
                                subject=approval.request_id, outcome="pending", now=now,
                                details={"action": approval.action, "target": approval.target,
                                         "requested_by": requested_by})
        posted = await deps.announcer.approval_requested(approval, thread)
        # unposted, nobody can click it: it simply expires, and the expiry is audited
        if posted is not None:
            await asyncio.to_thread(deps.store.approvals.record_post, approval.request_id, posted.channel,
                                    posted.ts, thread.ts)
        requested.append(approval)
    return requested
