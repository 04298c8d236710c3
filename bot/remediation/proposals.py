"""From proposals to approval requests: each gated action a diagnosis proposes becomes a request in
the state store (audited), then is announced in the investigation's thread, where its buttons carry
only the request id.

A proposal is checked in code before it becomes a request, whoever wrote it: its target must be the
component under investigation, or another the warehouse knows that the evidence names. Anything
else (another model, "all models", markup) is dropped, audited, and said in the thread.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from agents.diagnosis import GATED_ACTIONS, Diagnosis, RecommendedAction
from agents.subject import known_components
from bot.deps import Deps
from bot.notify import PostRef
from bot.permissions.approvers import too_few
from bot.permissions.denials import refuse
from bot.permissions.gate import plan_for, say_degraded
from bot.permissions.unattended import run_unattended
from bot.store.records import Approval
from bot.warehouse import WarehouseError


async def request_approvals(deps: Deps, diagnosis: Diagnosis, *, engine: str, requested_by: str, component: str,
                            investigation_id: str, alert_id: str | None, thread: PostRef) -> list[Approval]:
    settings = deps.settings
    requested = []
    gated = sorted((a for a in diagnosis.recommended_actions if a.action in GATED_ACTIONS), key=lambda a: a.priority)
    # the rest are for people to do; they are in the diagnosis
    for proposal in gated:
        why_not = await _why_not(deps, proposal, component, diagnosis)
        if why_not:
            await _drop(deps, proposal, why_not, engine=engine, investigation_id=investigation_id, thread=thread)
            continue
        plan = await plan_for(deps, proposal.action, proposal.target)
        await say_degraded(deps, plan)
        if plan.rule is None:
            await refuse(deps, thread, proposal.action, proposal.target, investigation_id,
                         f"the {plan.environment} policy does not allow {proposal.action}", "not_allowed",
                         {"environment": plan.environment}, drop=True)
            continue
        reason = diagnosis.root_cause + (f" ({proposal.condition})" if proposal.condition else "")
        now = deps.clock.now()
        approval = await asyncio.to_thread(
            deps.store.approvals.request, action=proposal.action, target=proposal.target, reason=reason[:1500],
            proposed_by=engine, requested_by=requested_by, now=now,
            timeout=timedelta(seconds=settings.approval_timeout_sec), investigation_id=investigation_id,
            alert_id=alert_id, environment=plan.environment, approvals_needed=plan.rule.approvals)
        details: dict[str, object] = {"action": approval.action, "target": approval.target,
                                      "requested_by": requested_by, "environment": plan.environment,
                                      "approvals_needed": plan.rule.approvals}
        # a policy listing its approvers was checked at load; AGENTOPS_APPROVERS only now
        if not plan.rule.approvers and (short := too_few(settings.agentops_approvers, plan.rule.approvals,
                                                         requested_by, settings.agentops_four_eyes)):
            details["too_few_approvers"] = short
        await asyncio.to_thread(deps.store.audit.record, actor=engine, action="approval.request",
                                subject=approval.request_id, outcome="pending", now=now, details=details)
        if plan.unattended is not None:
            # None only when it was decided otherwise first: then there is nothing left to click either
            if (ran := await run_unattended(deps, approval, plan, thread)) is not None:
                requested.append(ran)
            continue
        if plan.level_too_low:
            await refuse(deps, thread, approval.action, approval.target, approval.request_id,
                         f"it needs a click: {plan.level_too_low}", "level",
                         {"environment": plan.environment, "level": plan.standing.level if plan.standing else ""})
        posted = await deps.announcer.approval_requested(approval, thread)
        # unposted, nobody can click it: it simply expires, and the expiry is audited
        if posted is not None:
            await asyncio.to_thread(deps.store.approvals.record_post, approval.request_id, posted.channel,
                                    posted.ts, thread.ts)
        requested.append(approval)
    return requested


async def _why_not(deps: Deps, proposal: RecommendedAction, component: str, diagnosis: Diagnosis) -> str | None:
    """None when the proposal may become a request; otherwise why not, in the thread's words."""
    if proposal.target == component:
        return None
    if not any(proposal.target in line for line in diagnosis.evidence):
        return f"its target is not {component}, the component under investigation, nor named in the evidence"
    try:
        known = await asyncio.to_thread(known_components, deps.warehouse)
    except WarehouseError:
        return "its target is not the component under investigation, and the warehouse could not confirm it exists"
    if known.get(proposal.target) != "model":
        return "its target is not a model the warehouse knows"
    return None


async def _drop(deps: Deps, proposal: RecommendedAction, why_not: str, *, engine: str, investigation_id: str,
                thread: PostRef) -> None:
    await asyncio.to_thread(deps.store.audit.record, actor=engine, action="approval.request",
                            subject=investigation_id, outcome="refused:target", now=deps.clock.now(),
                            details={"action": proposal.action, "target": proposal.target[:200], "why": why_not})
    await deps.announcer.proposal_dropped(thread, proposal.action, proposal.target, why_not)
