"""A click on Approve or Deny: who may decide, whether the request is still open, exactly once.

Every outcome — decided, refused, too late, forged — is written to the audit log with who
clicked. The decision itself is the store's compare-and-set, so concurrent clicks on any number
of replicas produce one decision.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from bot.deps import Deps
from bot.permissions.approvers import Permission, approver_check, denied, vote
from bot.remediation import incidents
from bot.remediation.execute import execute_approved
from bot.store import DecisionOutcome
from bot.store.records import Approval

log = logging.getLogger("agentops.approvals")
AUDIT_ATTEMPTS = 3


@dataclass(frozen=True)
class Origin:
    """Where a click came from: the message its button was on."""

    channel: str
    message_ts: str


@dataclass(frozen=True)
class ClickResult:
    # decided | not_approver | four_eyes | unknown_request | wrong_message | expired | already_decided
    # | voted (one more distinct approval, not yet enough) | already_voted (the same person again)
    outcome: str
    approval: Approval | None
    decision: str  # what the click asked for: approved | denied
    allowed: tuple[str, ...] = ()  # not_approver: who may decide (user and subteam ids), when the policy names them
    why: str = ""  # not_approver: why, when there is more to say than who may

    @property
    def closed_now(self) -> bool:
        """This click closed the request (decided it, or found it expired): its message must be redrawn."""
        return self.outcome in ("decided", "expired")


async def click(deps: Deps, request_id: str, user: str, decision: str, origin: Origin) -> ClickResult:
    """A click on Approve or Deny, decided and followed through: a closed request is announced as such, an
    approved action starts (once, in the background), a denied or expired one goes on the incident."""
    permission = await approver_check(deps, request_id, user)
    result = await asyncio.to_thread(decide, deps, request_id, user, decision, origin, permission)
    if result.outcome == "voted" and result.approval is not None:
        await deps.announcer.approval_voted(result.approval)
    if result.closed_now and result.approval is not None:
        await deps.announcer.approval_closed(result.approval)
        if result.approval.status == "approved":
            # minutes of work (training): the investigations pool, so quick replies never wait
            deps.investigations.spawn(execute_approved(deps, result.approval))
        else:
            await incidents.approval_closed(deps, result.approval, deps.clock.now())
    return result


def decide(deps: Deps, request_id: str, user: str, decision: str, origin: Origin,
           permission: Permission | None = None) -> ClickResult:
    """Blocking (store calls): run it in a worker thread. A request is decided only from its own
    message: a real request id clicked anywhere else (copied into another message, another channel)
    decides nothing."""
    settings = deps.settings
    now = deps.clock.now()
    approval = deps.store.approvals.get(request_id)
    verb = "approve" if decision == "approved" else "deny"
    permission = permission or Permission(user in settings.agentops_approvers)
    if not permission.allowed:
        # checked before anything is said about the id: a forged click from anyone learns nothing
        result = ClickResult("not_approver", None, decision, permission.listed, permission.why)
        denied(deps, user, request_id, decision, permission, origin)
    elif approval is None:
        result = ClickResult("unknown_request", None, decision)
    elif (approval.slack_channel, approval.slack_ts) != (origin.channel, origin.message_ts):
        result = ClickResult("wrong_message", approval, decision)
    elif decision == "approved" and settings.agentops_four_eyes and user == approval.requested_by:
        result = ClickResult("four_eyes", approval, decision)
    elif decision == "approved" and approval.approvals_needed > 1 and approval.status == "pending" \
            and now < approval.expires_at:
        result = ClickResult(*vote(deps, approval, user, now), decision)
    else:
        stored = deps.store.approvals.decide(request_id, decision, user, now)
        if stored.outcome is DecisionOutcome.UNKNOWN:
            result = ClickResult("unknown_request", None, decision)
        else:
            result = ClickResult(stored.outcome.value, stored.approval, decision)
    _audit(deps, actor=user, action=f"approval.{verb}", subject=request_id[:200], now=now,
           outcome=decision if result.outcome == "decided" else (
               f"vote:{len(result.approval.voters)}/{result.approval.approvals_needed}"
               if result.outcome == "voted" and result.approval else f"refused:{result.outcome}"),
           details={"action": approval.action, "target": approval.target} if approval else {},
           channel=origin.channel, message_ts=origin.message_ts)
    deps.metrics.approvals.labels(decision=decision if result.outcome == "decided" else result.outcome).inc()
    return result


def _audit(deps: Deps, **entry: Any) -> None:
    """The decision is already committed: an audit write that fails (a locked SQLite file, a dropped
    connection) is retried, and then logged, but never keeps an approved action from running."""
    for attempt in range(AUDIT_ATTEMPTS):
        try:
            deps.store.audit.record(**entry)
            return
        except Exception:
            if attempt == AUDIT_ATTEMPTS - 1:
                log.exception("could not audit %s by %s (%s); the decision stands", entry["action"], entry["actor"],
                              entry["outcome"])
                return
            time.sleep(0.2 * 2**attempt)
