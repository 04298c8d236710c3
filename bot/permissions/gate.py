"""What the policy says about one proposal: its environment, whether it may be proposed there, and
whether it may run without a click — the environment's unattended rule and the level the bot has earned
there — or, when governance is degraded, why everything waits for a click."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.deps import Deps
from bot.leases import replica_name
from bot.permissions.governance import Standing
from bot.permissions.policy import ActionRule, Unattended

log = logging.getLogger("agentops.permissions")
POLICY_ACTOR = "policy"  # how the audit log and the thread name a decision the policy made
STORE_DOWN = "the state store did not answer for the track record"


@dataclass(frozen=True)
class Plan:
    environment: str
    rule: ActionRule | None  # None: the action may not be proposed in this environment
    unattended: Unattended | None = None  # set: it runs without a click, under this rule
    standing: Standing | None = None
    level_too_low: str = ""  # why an unattended rule did not apply
    degraded: str = ""  # why governance is degraded (nothing runs without a click)
    read: tuple[str, ...] = ()  # what governance this plan read and found answering: "policy", "store"


async def plan_for(deps: Deps, action: str, target: str) -> Plan:
    governance = deps.governance
    policy, degraded = await asyncio.to_thread(governance.policy)  # a stat, and a YAML parse when it changed
    environment = policy.environment_of(target)
    rule = policy.rule(environment, action)
    unattended = policy.unattended(environment, action)
    if rule is None or unattended is None or degraded:
        return Plan(environment, rule, degraded=degraded or "", read=() if degraded else ("policy",))
    try:
        standing = await asyncio.to_thread(governance.standing, deps.store, policy, environment)
    except Exception as error:
        log.warning("the track record could not be read (%s): degraded", type(error).__name__)
        return Plan(environment, rule, degraded=STORE_DOWN, read=("policy",))
    if policy.rank(standing.level) >= policy.rank(unattended.level):
        return Plan(environment, rule, unattended, standing, read=("policy", "store"))
    return Plan(environment, rule, None, standing, level_too_low=(
        f"{unattended.rule} runs it without a click from level {unattended.level}; the bot holds "
        f"{standing.in_words()}"), read=("policy", "store"))


async def say_degraded(deps: Deps, plan: Plan) -> None:
    """Degraded mode is said once in the channel per spell of each cause (the policy, the store); a spell
    ends only when a plan reads that same thing and it answers — a plan that never asked the store (a
    production action, say) says nothing about whether the store is back."""
    said, notices, now = deps.governance.degraded_said, deps.store.governance_notices, deps.clock.now()
    said.difference_update(plan.read)
    for answering in plan.read:  # every replica ends the spell it finds over (one stopped mid-spell cannot)
        await _quietly(notices.ended, answering)
    cause = "store" if plan.degraded == STORE_DOWN else "policy"
    if plan.degraded and cause not in said:
        said.add(cause)
        # the first replica to claim it says it; a store that does not answer cannot tell, so each says it
        if await _quietly(notices.claim, cause, now, replica_name()) is not False:
            await deps.announcer.governance_degraded(plan.degraded)


async def _quietly(call: Callable[..., bool | None], *args: object) -> bool | None:
    """The call's answer; None when the store did not answer (degraded mode goes on without it)."""
    try:
        return await asyncio.to_thread(call, *args)
    except Exception as error:
        log.warning("the governance notice could not be read or written (%s)", type(error).__name__)
        return None
