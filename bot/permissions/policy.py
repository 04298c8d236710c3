"""The action policy: each model's environment, what each environment lets the bot propose, how many
distinct approvers each action needs and who they may be, and what may run without a click at which
earned permission level.

Read from the YAML file named by ACTION_POLICY_FILE (the shipped default_policy.yaml when unset) and
checked like the rules file: a mistake names the file, line and key. Approvers are Slack ids from the
file only (user groups by name → subteam id), so nothing a model or an alert writes chooses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import UserFacingError
from bot.yaml_file import (
    SLACK_SUBTEAM,
    SLACK_USER,
    Node,
    YamlFileError,
    entries,
    fail,
    read_yaml,
    scalar,
    slack_groups,
)

DEFAULT_POLICY = Path(__file__).with_name("default_policy.yaml")
ENVIRONMENTS = ("production", "staging", "sandbox")
ACTIONS = ("retrain_model", "rollback_model")
RISKS = ("low", "high")
MAX_APPROVALS = 5


class ActionPolicyError(UserFacingError):
    """The action policy file is wrong; the message names the file, line and key."""


@dataclass(frozen=True)
class Level:
    """A permission level and the track record it takes (in one environment)."""

    name: str
    min_successes: int = 0
    max_failure_rate: float = 1.0
    min_good_feedback: float = 0.0  # share of 👍 among 👍/👎 on diagnoses (no votes: not held against it)


@dataclass(frozen=True)
class ActionRule:
    action: str
    approvals: int  # distinct approvers needed
    approvers: tuple[str, ...] = ()  # user ids (U…/W…) and subteam ids (S…); empty: AGENTOPS_APPROVERS
    risk: str = "high"
    group_names: dict[str, str] = field(default_factory=dict)  # subteam id → the policy's name for it


@dataclass(frozen=True)
class Unattended:
    """A low-risk action the bot may run without a click once it holds `level` in the environment."""

    action: str
    level: str
    rule: str  # how the audit log names it, e.g. "sandbox.unattended[0]"


@dataclass(frozen=True)
class EnvironmentPolicy:
    actions: dict[str, ActionRule] = field(default_factory=dict)
    unattended: tuple[Unattended, ...] = ()


@dataclass(frozen=True)
class ActionPolicy:
    default_environment: str = "production"
    models: dict[str, str] = field(default_factory=dict)
    levels: tuple[Level, ...] = (Level("sandbox_only"),)
    policies: dict[str, EnvironmentPolicy] = field(default_factory=dict)
    source: str = ""

    def environment_of(self, model: str) -> str:
        return self.models.get(model, self.default_environment)

    def rule(self, environment: str, action: str) -> ActionRule | None:
        """None: the action may not be proposed there."""
        return self.policies.get(environment, EnvironmentPolicy()).actions.get(action)

    def unattended(self, environment: str, action: str) -> Unattended | None:
        return next((u for u in self.policies.get(environment, EnvironmentPolicy()).unattended
                     if u.action == action), None)

    def rank(self, level: str) -> int:
        return [lv.name for lv in self.levels].index(level)


def load_action_policy(path: Path | None) -> ActionPolicy:
    path = path or DEFAULT_POLICY
    try:
        root = read_yaml(path)
        if root is None:
            raise YamlFileError(f"{path}: empty; it needs at least `policies` (see {DEFAULT_POLICY.name})")
        return _policy(path, root)
    except YamlFileError as error:
        raise ActionPolicyError(str(error)) from None


def _environment(path: Path, node: Node, where: str) -> str:
    name = scalar(path, node, where, str)
    if name not in ENVIRONMENTS:
        raise fail(path, node, f"{where}: {name!r} is not an environment ({', '.join(ENVIRONMENTS)})")
    return name


def _number(path: Path, node: Node, where: str, low: float, high: float) -> float:
    value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise fail(path, node, f"{where} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _policy(path: Path, root: Node) -> ActionPolicy:
    top = entries(path, root, "the policy", {"environments", "levels", "policies", "slack_groups",
                                              "unattended_in_production"})
    if "policies" not in top:
        raise fail(path, root, "the policy needs `policies` (per environment: its actions)")
    groups = slack_groups(path, top)
    default_env, models = "production", {}
    if "environments" in top:
        envs = entries(path, top["environments"][1], "environments", {"default", "models"})
        if "default" in envs:
            default_env = _environment(path, envs["default"][1], "environments.default")
        for model, (_key, value) in (entries(path, envs["models"][1], "environments.models").items()
                                     if "models" in envs else ()):
            models[model] = _environment(path, value, f"environments.models.{model}")
    levels = _levels(path, top["levels"][1]) if "levels" in top else (Level("sandbox_only"),)
    in_production = ("unattended_in_production" in top
                     and scalar(path, top["unattended_in_production"][1], "unattended_in_production", bool))
    policies = {}
    for env_name, (key, node) in entries(path, top["policies"][1], "policies").items():
        env = _environment(path, key, f"policies.{env_name}")
        policies[env] = _environment_policy(path, node, f"policies.{env}", groups, levels)
        if env == "production" and policies[env].unattended and not in_production:
            raise fail(path, node, "policies.production.unattended: nothing runs in production without a click "
                                    "unless the policy also says `unattended_in_production: true`")
    return ActionPolicy(default_env, models, levels, policies, str(path))


def _levels(path: Path, node: Node) -> tuple[Level, ...]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise fail(path, node, "levels must be a list of levels, lowest first")
    levels: list[Level] = []
    for n, item in enumerate(node.value):
        where = f"levels[{n}]"
        keys = entries(path, item, where, {"name", "min_successes", "max_failure_rate", "min_good_feedback"})
        if "name" not in keys:
            raise fail(path, item, f"{where}: a level needs a name")
        name = scalar(path, keys["name"][1], f"{where}.name", str)
        if any(lv.name == name for lv in levels):
            raise fail(path, keys["name"][1], f"{where}.name: {name!r} is named twice")
        levels.append(Level(
            name, int(_number(path, keys["min_successes"][1], f"{where}.min_successes", 0, 1e6))
            if "min_successes" in keys else 0,
            _number(path, keys["max_failure_rate"][1], f"{where}.max_failure_rate", 0, 1)
            if "max_failure_rate" in keys else 1.0,
            _number(path, keys["min_good_feedback"][1], f"{where}.min_good_feedback", 0, 1)
            if "min_good_feedback" in keys else 0.0))
    return tuple(levels)


def _environment_policy(path: Path, node: Node, where: str, groups: dict[str, str],
                        levels: tuple[Level, ...]) -> EnvironmentPolicy:
    keys = entries(path, node, where, {"actions", "unattended"})
    actions = {}
    for action, (key, value) in (entries(path, keys["actions"][1], f"{where}.actions").items()
                                 if "actions" in keys else ()):
        if action not in ACTIONS:
            raise fail(path, key, f"{where}.actions: {action!r} is not a gated action ({', '.join(ACTIONS)})")
        actions[action] = _action_rule(path, value, f"{where}.actions.{action}", action, groups)
    unattended = []
    items = keys["unattended"][1] if "unattended" in keys else None
    if items is not None and not isinstance(items, yaml.SequenceNode):
        raise fail(path, items, f"{where}.unattended must be a list of {{action, level}}")
    for n, item in enumerate(items.value if items is not None else ()):
        at = f"{where}.unattended[{n}]"
        fields_ = entries(path, item, at, {"action", "level"})
        if "action" not in fields_ or "level" not in fields_:
            raise fail(path, item, f"{at}: needs action and level")
        action = scalar(path, fields_["action"][1], f"{at}.action", str)
        level = scalar(path, fields_["level"][1], f"{at}.level", str)
        if action not in actions or actions[action].risk != "low":
            raise fail(path, fields_["action"][1], f"{at}.action: only an action this environment allows with "
                                                    f"risk: low may run without a click, not {action!r}")
        if level not in [lv.name for lv in levels]:
            raise fail(path, fields_["level"][1], f"{at}.level: {level!r} is not one of the levels "
                                                   f"({', '.join(lv.name for lv in levels)})")
        unattended.append(Unattended(action, level, at.removeprefix("policies.")))
    return EnvironmentPolicy(actions, tuple(unattended))


def _action_rule(path: Path, node: Node, where: str, action: str, groups: dict[str, str]) -> ActionRule:
    keys = entries(path, node, where, {"approvals", "approvers", "risk"})
    approvals = int(_number(path, keys["approvals"][1], f"{where}.approvals", 1, MAX_APPROVALS)) \
        if "approvals" in keys else 1
    risk = scalar(path, keys["risk"][1], f"{where}.risk", str) if "risk" in keys else "high"
    if risk not in RISKS:
        raise fail(path, keys["risk"][1], f"{where}.risk: {risk!r} is not one of {', '.join(RISKS)}")
    approvers, names = [], {}
    if "approvers" in keys:
        listed = keys["approvers"][1]
        for item in listed.value if isinstance(listed, yaml.SequenceNode) else [listed]:
            word = scalar(path, item, f"{where}.approvers", str)
            if word.startswith("@"):
                if word[1:] not in groups:
                    known = ", ".join(f"@{g}" for g in groups) or "none"
                    raise fail(path, item, f"{where}.approvers: {word} is not in slack_groups (known: {known}); "
                                            "add it with its subteam id")
                approvers.append(groups[word[1:]])
                names[groups[word[1:]]] = word[1:]
            elif SLACK_USER.match(word) or SLACK_SUBTEAM.match(word):
                approvers.append(word)
            else:
                raise fail(path, item, f"{where}.approvers: {word!r} is neither @group (from slack_groups), a "
                                        "Slack user id (U…) nor a subteam id (S…)")
    if approvers and not any(SLACK_SUBTEAM.match(a) for a in approvers) and len(set(approvers)) < approvals:
        # a group may hold any number of people; a list of users this short can never reach `approvals`
        raise fail(path, keys["approvals"][1], f"{where}: approvals {approvals} but only {len(set(approvers))} "
                                                "approvers listed; list more (or a @group) or lower approvals")
    return ActionRule(action, approvals, tuple(approvers), risk, names)
