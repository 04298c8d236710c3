"""A low-risk action the policy lets run without a click: decided by the policy through the same
compare-and-set as a click (so it is decided once), audited as the policy's decision naming its rule,
announced in the thread, then run once through the ordinary action path (claim, lease, verify)."""

from __future__ import annotations

import asyncio

from bot.deps import Deps
from bot.notify import PostRef
from bot.permissions.gate import POLICY_ACTOR, Plan
from bot.remediation.execute import execute_approved
from bot.store import DecisionOutcome
from bot.store.records import Approval


async def run_unattended(deps: Deps, approval: Approval, plan: Plan, thread: PostRef) -> Approval | None:
    """The approved request, its action started in the background; None when it was decided otherwise first."""
    assert plan.unattended is not None and plan.standing is not None
    now = deps.clock.now()
    decided = await asyncio.to_thread(deps.store.approvals.decide, approval.request_id, "approved", POLICY_ACTOR, now)
    if decided.outcome is not DecisionOutcome.DECIDED or decided.approval is None:
        return None
    await asyncio.to_thread(
        deps.store.audit.record, actor=POLICY_ACTOR, action="approval.approve", subject=approval.request_id,
        outcome="approved", now=now, details={
            "rule": plan.unattended.rule, "environment": plan.environment, "action": approval.action,
            "target": approval.target, "level": plan.standing.level, "needed_level": plan.unattended.level,
            "successes": plan.standing.successes, "failures": plan.standing.failures})
    deps.metrics.approvals.labels(decision="approved").inc()
    posted = await deps.announcer.action_unattended(decided.approval, thread, plan.unattended.rule,
                                                    plan.standing.in_words())
    # the progress and outcome messages go in the thread, under the announcement
    await asyncio.to_thread(deps.store.approvals.record_post, approval.request_id, thread.channel,
                            posted.ts if posted is not None else thread.ts, thread.ts)
    ready = await asyncio.to_thread(deps.store.approvals.get, approval.request_id) or decided.approval
    deps.investigations.spawn(execute_approved(deps, ready))
    return ready
