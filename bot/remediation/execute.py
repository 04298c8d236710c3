"""After approval: claim the action (once, whichever replica), run it on the ML service with its
progress announced as it goes, verify, and record the outcome everywhere it belongs.

The claim is a lease the running replica renews (bot/remediation/lease.py); bot/remediation/takeover.py
resumes what a replica that died left. Whatever fails while recording the outcome, the progress
message gets its last word, and the action is closed — or let go, to be verified and recorded again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.deps import Deps
from bot.notify import ActionReport
from bot.remediation import incidents
from bot.remediation.actions import ActionResult, resume_action, run_action
from bot.remediation.lease import heartbeat, lease_of, replica_of, running_here
from bot.store.records import Approval

log = logging.getLogger("agentops.actions")
RECORD_ATTEMPTS = 3
# how often an action whose outcome could not be recorded is taken over to verify and record it again;
# the last takeover closes it whatever fails (as investigations cap their attempts)
MAX_TAKEOVERS = 3


async def execute_approved(deps: Deps, approval: Approval) -> str | None:
    """Run it; the verified status (completed | failed), or None when another caller already ran it."""
    with running_here(deps, approval.request_id) as free:
        started = deps.clock.now()
        if not free or not await claim(deps, approval, started):
            return None
        return await run_claimed(deps, approval, started)


async def claim(deps: Deps, approval: Approval, now: datetime) -> bool:
    """The compare-and-set that lets one caller (of all replicas) start the action; inside `running_here`."""
    return await asyncio.to_thread(deps.store.approvals.claim_action, approval.request_id, now, replica_of(deps),
                                   lease_of(deps))


async def run_claimed(deps: Deps, approval: Approval, started: datetime) -> str | None:
    claimed = await asyncio.to_thread(deps.store.approvals.get, approval.request_id) or approval
    await incidents.action_started(deps, claimed, started)
    await audit_outcome(deps, claimed, "started", started,
                        {"target": claimed.target, "approved_by": claimed.decided_by})
    report = await deps.announcer.action_started(claimed)
    return await carry_out(deps, claimed, report)


async def carry_out(deps: Deps, approval: Approval, report: ActionReport, *, last_try: bool = False) -> str | None:
    """Run a claimed action — or, when its write was already sent, verify it — under the lease's heartbeat,
    then record the outcome; None when another replica took it over meanwhile. On its `last_try` (the
    takeovers are capped) it is closed even when its incident cannot record the outcome."""
    settings, store = deps.settings, deps.store.approvals
    if (shown := report.post) is not None:
        await retried("record where its progress is shown", lambda: asyncio.to_thread(
            store.record_progress, approval.request_id, replica_of(deps), shown.channel, shown.ts))
    # the deadline counts from the first start, whichever replica started it
    started = approval.action_started_at or deps.clock.now()
    left = settings.training_timeout_sec - (deps.clock.now() - started).total_seconds()
    async with heartbeat(deps, approval.request_id) as claim:
        try:
            if approval.action_phase != "claimed":  # sent (or, from before phases were recorded, maybe sent)
                result = await asyncio.to_thread(
                    resume_action, deps.ml_service, approval.action, approval.target, report.step,
                    expected=approval.action_expected, run_id=approval.action_run_id,
                    poll_sec=settings.action_poll_interval_sec, timeout_sec=left)
            else:
                result = await asyncio.to_thread(
                    run_action, deps.ml_service, approval.action, approval.target, started, report.step,
                    poll_sec=settings.action_poll_interval_sec, timeout_sec=left, journal=claim)
        except Exception:  # a bug here must still close the action as failed, never leave it "running"
            log.exception("%s on %s failed unexpectedly", approval.action, approval.target)
            result = ActionResult(approval.action, "failed",
                                  "an internal error; it is in the bot's log. Check the model's state.")
        if not await claim.renew():
            return None  # its new holder verifies it and records the outcome, once
        await close(deps, approval, report, result.status, result.details, claim.replica, last_try=last_try)
    return result.status


async def close(deps: Deps, approval: Approval, report: ActionReport, status: str, details: str,
                replica: str, *, last_try: bool = False) -> None:
    finished = deps.clock.now()
    # the outcome goes on the incident while the action still counts as running: a sweep that sees the
    # alert clear meanwhile defers the resolution, so the issue never closes before this comment lands
    try:
        await incidents.action_recorded(deps, approval, status, details, finished)
    except Exception:
        if not last_try:
            # not retried here: the claim is let go instead, so the next takeover pass verifies the action
            # again and records it (its incident entry is replaced, never doubled) when the store answers
            log.exception("could not record %s's outcome on its incident; it is verified and recorded again",
                          approval.action)
            await retried("let the action's claim go", lambda: asyncio.to_thread(
                deps.store.approvals.release, approval.request_id, replica, deps.clock.now()))
            await report.finished(status, details)  # the progress message never stays on its last step
            return
        # it failed on every takeover: closed all the same, never verified again and again
        log.exception("could not record %s's outcome on its incident, %d takeovers on; closing the action "
                      "without it", approval.action, MAX_TAKEOVERS)
    await _finish(deps, approval, report, status, details, replica, finished)


async def _finish(deps: Deps, approval: Approval, report: ActionReport, status: str, details: str, replica: str,
                  finished: datetime) -> None:
    await retried("close the action", lambda: asyncio.to_thread(
        deps.store.approvals.finish_action, approval.request_id, status, details, finished, replica))
    await audit_outcome(deps, approval, status, finished, {"target": approval.target, "details": details[:1000]})
    deps.metrics.actions.labels(action=approval.action, status=status).inc()
    await report.finished(status, details)
    await retried("resolve the incident it deferred", lambda: incidents.action_finished(deps, approval,
                                                                                               finished))


async def audit_outcome(deps: Deps, approval: Approval, outcome: str, now: datetime, details: dict) -> None:
    await retried(f"audit {approval.action} {outcome}", lambda: asyncio.to_thread(
        deps.store.audit.record, actor="agentops", action=f"action.{approval.action}", subject=approval.request_id,
        outcome=outcome, now=now, details=details))


async def retried(what: str, step: Callable[[], Awaitable[Any]]) -> None:
    """A store write after the action ran: retried through a blip, then logged; never raised, so what
    follows (the thread's last word above all) still happens."""
    for attempt in range(RECORD_ATTEMPTS):
        try:
            await step()
            return
        except Exception:
            if attempt == RECORD_ATTEMPTS - 1:
                log.exception("could not %s", what)
                return
            await asyncio.sleep(0.2 * 2**attempt)
