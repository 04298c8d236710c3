"""After approval: claim the action (once, whichever replica), run it on the ML service with its
progress announced as it goes, verify, and record the outcome everywhere it belongs."""

from __future__ import annotations

import asyncio
import logging

from bot.deps import Deps
from bot.remediation import incidents
from bot.remediation.actions import run_action
from bot.store.records import Approval

log = logging.getLogger("agentops.actions")


async def execute_approved(deps: Deps, approval: Approval) -> str | None:
    """Run it; the verified status (completed | failed), or None when another caller already ran it."""
    started = deps.clock.now()
    if not await asyncio.to_thread(deps.store.approvals.claim_action, approval.request_id, started):
        return None
    await incidents.action_started(deps, approval, started)
    await asyncio.to_thread(deps.store.audit.record, actor="agentops", action=f"action.{approval.action}",
                            subject=approval.request_id, outcome="started", now=started,
                            details={"target": approval.target, "approved_by": approval.decided_by})
    report = await deps.announcer.action_started(approval)
    settings = deps.settings
    try:
        result = await asyncio.to_thread(run_action, deps.ml_service, approval.action, approval.target, started,
                                         report.step, poll_sec=settings.action_poll_interval_sec,
                                         timeout_sec=settings.training_timeout_sec)
        status, details = result.status, result.details
    except Exception:  # a bug here must still close the action as failed, never leave it "running"
        log.exception("%s on %s failed unexpectedly", approval.action, approval.target)
        status, details = "failed", "an internal error; it is in the bot's log. Check the model's state."
    finished = deps.clock.now()
    # the outcome goes on the incident while the action still counts as running: a sweep that sees the
    # alert clear meanwhile defers the resolution, so the issue never closes before this comment lands
    try:
        await incidents.action_recorded(deps, approval, status, details, finished)
    finally:  # whatever happened there, the action is not left "running"
        await asyncio.to_thread(deps.store.approvals.finish_action, approval.request_id, status, details,
                                finished)
    await asyncio.to_thread(deps.store.audit.record, actor="agentops", action=f"action.{approval.action}",
                            subject=approval.request_id, outcome=status, now=finished,
                            details={"target": approval.target, "details": details[:1000]})
    deps.metrics.actions.labels(action=approval.action, status=status).inc()
    await report.finished(status, details)
    await incidents.action_finished(deps, approval, finished)
    return status
