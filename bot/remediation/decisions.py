"""A click on Approve or Deny: who may decide, whether the request is still open, exactly once.

Every outcome — decided, refused, too late, forged — is written to the audit log with who
clicked. The decision itself is the store's compare-and-set, so concurrent clicks on any number
of replicas produce one decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.deps import Deps
from bot.store import Outcome
from bot.store.records import Approval
from handlers.approval_blocks import too_late


@dataclass(frozen=True)
class ClickResult:
    outcome: str  # decided | not_approver | four_eyes | unknown_request | expired | already_decided
    approval: Approval | None
    tell_clicker: str | None = None  # an ephemeral answer; None when the edited message says it all

    @property
    def closed_now(self) -> bool:
        """This click closed the request (decided it, or found it expired): its message must be redrawn."""
        return self.outcome in ("decided", "expired")


def decide(deps: Deps, request_id: str, user: str, decision: str) -> ClickResult:
    """Blocking (store calls): run it in a worker thread."""
    settings = deps.settings
    now = deps.clock.now()
    approval = deps.store.approvals.get(request_id)
    verb = "approve" if decision == "approved" else "deny"
    if user not in settings.agentops_approvers:
        # checked before the id is looked up: a forged click from anyone learns nothing
        listed = ", ".join(f"<@{u}>" for u in settings.agentops_approvers) or "nobody (AGENTOPS_APPROVERS is empty)"
        result = ClickResult("not_approver", approval,
                             f"Only approvers can {verb} actions; ask one of: {listed}. Your click was logged.")
    elif approval is None:
        result = ClickResult("unknown_request", None,
                             "That approval request does not exist; nothing was done. Your click was logged.")
    elif decision == "approved" and settings.agentops_four_eyes and user == approval.requested_by:
        result = ClickResult("four_eyes", approval,
                             "You started the investigation that proposed this, and the four-eyes rule needs "
                             "someone else to approve it. Ask another approver. Your click was logged.")
    else:
        stored = deps.store.approvals.decide(request_id, decision, user, now)
        if stored.outcome is Outcome.DECIDED:
            result = ClickResult("decided", stored.approval)
        elif stored.outcome is Outcome.UNKNOWN:
            result = ClickResult("unknown_request", None, "That approval request does not exist; nothing was done.")
        else:
            result = ClickResult(stored.outcome.value, stored.approval, too_late(stored.approval))  # type: ignore[arg-type]
    deps.store.audit.record(
        actor=user, action=f"approval.{verb}", subject=request_id[:200], now=now,
        outcome=decision if result.outcome == "decided" else f"refused:{result.outcome}",
        details={"action": approval.action, "target": approval.target} if approval else {})
    deps.metrics.approvals.labels(decision=decision if result.outcome == "decided" else result.outcome).inc()
    return result
