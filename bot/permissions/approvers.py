"""Who may decide an approval request, and approvals counted per distinct person.

The environment's policy names the approvers of each action (users, or user groups resolved through
the chat and cached); a policy that names none leaves it to AGENTOPS_APPROVERS. With N > 1 approvals
needed, each approval is a vote row (one per person); the Nth distinct vote goes through the same
compare-and-set as a single approval, so one decision is made across replicas.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.deps import Deps
from bot.permissions.denials import audit_denied
from bot.store import DecisionOutcome
from bot.store.records import Approval


@dataclass(frozen=True)
class Permission:
    allowed: bool
    listed: tuple[str, ...] = ()  # who may decide, as the policy names them (user and subteam ids)
    why: str = ""
    environment: str = ""


async def approver_check(deps: Deps, request_id: str, user: str) -> Permission:
    """Whether `user` may decide this request under its environment's policy (an unknown request: whether
    they are one of AGENTOPS_APPROVERS, so a forged id learns nothing new)."""
    approval = await asyncio.to_thread(deps.store.approvals.get, request_id)
    # degraded: the last good policy still says who may decide (read off the loop: a stat, a parse on change)
    policy, _degraded = await asyncio.to_thread(deps.governance.policy)
    environment = (approval.environment or policy.environment_of(approval.target)) if approval else ""
    rule = policy.rule(environment, approval.action) if approval else None
    fallback = deps.settings.agentops_approvers
    allowed, why = await deps.governance.may_approve(rule, user, fallback, deps.clock.now())
    listed = tuple(rule.approvers) if rule is not None and rule.approvers else ()
    return Permission(allowed, listed, why, environment)


def too_few(listed: list[str], needed: int, requester: str, four_eyes: bool) -> str:
    """Why `needed` distinct approvals can never be reached from `listed` (the requester left out under the
    four-eyes rule), or "" when they can — a user group may hold anyone, so a list with one never falls short."""
    people = {u for u in listed if not (four_eyes and u == requester)}
    if not people or any(u.startswith("S") for u in people) or len(people) >= needed:
        return ""
    rule = " besides the requester" if four_eyes and requester in listed else ""
    who = "1 approver" if len(people) == 1 else f"{len(people)} approvers"
    return (f"it needs {needed} distinct approvals but only {who} may give them{rule}, so it "
            "can only expire; add approvers to AGENTOPS_APPROVERS or the action policy")


def denied(deps: Deps, user: str, request_id: str, decision: str, permission: Permission, origin: object) -> None:
    """A click by someone the policy does not let decide: audited as permission_denied (the click's own
    audit row follows)."""
    audit_denied(deps, actor=user, subject=request_id, kind="approver",
                 why=permission.why or "not an approver of this action here",
                 details={"decision": decision, "environment": permission.environment,
                          "approvers": list(permission.listed)},
                 channel=getattr(origin, "channel", None), message_ts=getattr(origin, "message_ts", None))


def vote(deps: Deps, approval: Approval, user: str, now: object) -> tuple[str, Approval | None]:
    """Blocking. One more distinct approval: (voted | already_voted | decided | already_decided | expired, the
    request as it now is)."""
    store = deps.store
    voters = store.votes.vote(approval.request_id, user, now)  # type: ignore[arg-type]
    if voters is None:
        return "already_voted", store.approvals.get(approval.request_id)
    if len(voters) < approval.approvals_needed:
        return "voted", store.approvals.get(approval.request_id)
    # the Nth distinct vote: whichever replica's click gets here first decides, once
    stored = store.approvals.decide(approval.request_id, "approved", user, now)  # type: ignore[arg-type]
    if stored.outcome is DecisionOutcome.UNKNOWN:
        return "unknown_request", None
    return stored.outcome.value, stored.approval
