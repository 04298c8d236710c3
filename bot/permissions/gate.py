"""What the policy says about one proposal: its environment, whether it may be proposed there, and
whether it may run without a click — the environment's unattended rule and the level the bot has earned
there — or, when governance is degraded, why everything waits for a click."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.deps import Deps
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
    said = deps.governance.degraded_said
    said.difference_update(plan.read)
    cause = "store" if plan.degraded == STORE_DOWN else "policy"
    if plan.degraded and cause not in said:
        said.add(cause)
        await deps.announcer.governance_degraded(plan.degraded)
