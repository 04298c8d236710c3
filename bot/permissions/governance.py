"""Governance at run time: the action policy in force (re-read when its file changes), the permission
level each environment's track record earns, and who may approve (user groups resolved through the
chat edge, cached for USERGROUP_CACHE_TTL_SEC).

When governance cannot be read — the policy file became unreadable, the store does not answer — it is
degraded: the last good policy still says who may approve, but nothing runs without a click.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.permissions.policy import DEFAULT_POLICY, ActionPolicy, ActionRule, Level, load_action_policy
from bot.store import Store
from bot.store.records import Approval

log = logging.getLogger("agentops.permissions")


class GroupDirectory(Protocol):
    """Who is in a user group (a subteam id); None when the chat could not say."""

    async def members(self, group_id: str) -> list[str] | None: ...


@dataclass(frozen=True)
class Standing:
    """An environment's track record and the level it earns."""

    environment: str
    level: str
    successes: int = 0
    failures: int = 0
    good: int = 0
    bad: int = 0

    def in_words(self) -> str:
        votes = f", {self.good} 👍 / {self.bad} 👎 on diagnoses" if self.good or self.bad else ""
        return (f"{self.level} ({_count(self.successes, 'verified success', 'verified successes')}, "
                f"{_count(self.failures, 'failure', 'failures')}{votes} in {self.environment})")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def earned(levels: tuple[Level, ...], environment: str, successes: int, failures: int, good: int,
           bad: int) -> Standing:
    """The highest level whose thresholds are met, climbing in order (a level is never skipped)."""
    held = levels[0].name
    done = successes + failures
    for level in levels[1:]:
        failure_rate = failures / done if done else 0.0
        liked = good / (good + bad) if good + bad else 1.0
        if successes < level.min_successes or failure_rate > level.max_failure_rate or liked < level.min_good_feedback:
            break
        held = level.name
    return Standing(environment, held, successes, failures, good, bad)


class Governance:
    def __init__(self, policy: ActionPolicy, path: Path | None, group_ttl_sec: float) -> None:
        self._policy, self._path = policy, path or DEFAULT_POLICY
        self._mtime = self._stat()
        self._ttl = timedelta(seconds=group_ttl_sec)
        self._groups: dict[str, tuple[datetime, list[str]]] = {}
        self.directory: GroupDirectory | None = None  # set by the composition root (the Slack edge)
        self.degraded_said: set[str] = set()  # the causes said in this spell ("policy", "store"), once each

    def _stat(self) -> float | None:
        try:
            return self._path.stat().st_mtime
        except OSError:
            return None

    def policy(self) -> tuple[ActionPolicy, str | None]:
        """The policy in force, and why governance is degraded (None when it is not)."""
        mtime = self._stat()
        if mtime is None:
            return self._policy, f"the action policy {self._path} cannot be read"
        if mtime != self._mtime:
            try:
                self._policy = load_action_policy(self._path)
            except Exception as error:  # a bad edit keeps the last good policy, degraded
                return self._policy, f"the action policy is unusable: {error}"
            self._mtime = mtime
        return self._policy, None

    def standing(self, store: Store, policy: ActionPolicy, environment: str) -> Standing:
        """Raises when the store does not answer (the caller degrades)."""
        outcomes = store.track_records.outcomes()
        votes = store.track_records.diagnosis_votes(policy.environment_of)
        return earned(policy.levels, environment, outcomes.get((environment, "completed"), 0),
                      outcomes.get((environment, "failed"), 0), votes.get((environment, "good"), 0),
                      votes.get((environment, "bad"), 0))

    def approvers_of(self, approval: Approval, fallback: list[str]) -> list[str]:
        """Who may decide this request: its environment's policy for its action, else AGENTOPS_APPROVERS."""
        policy = self.policy()[0]
        rule = policy.rule(approval.environment or policy.environment_of(approval.target), approval.action)
        return list(rule.approvers) if rule is not None and rule.approvers else fallback

    async def may_approve(self, rule: ActionRule | None, user: str, fallback: list[str],
                          now: datetime) -> tuple[bool, str]:
        """Whether `user` may approve under `rule` (its approvers, or AGENTOPS_APPROVERS when it names none),
        and, when not, why in the clicker's words."""
        listed = list(rule.approvers) if rule is not None and rule.approvers else fallback
        if user in listed:
            return True, ""
        unconfirmed = []
        for group in (g for g in listed if g.startswith("S")):
            members = await self.members(group, now)
            if members is None:
                unconfirmed.append(group)
            elif user in members:
                return True, ""
        if unconfirmed:
            return False, "Slack could not confirm the approver groups' members just now; try again in a minute"
        return False, ""

    async def members(self, group: str, now: datetime) -> list[str] | None:
        cached = self._groups.get(group)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await self.directory.members(group) if self.directory is not None else None
        if found is None:
            # a lookup that failed keeps an expired answer rather than locking every approver out
            return cached[1] if cached is not None else None
        self._groups[group] = (now + self._ttl, found)
        return found
