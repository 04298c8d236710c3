"""The escalation policy: which alerts page whom, on which channel, after how long unacknowledged.

Read from the YAML file named by ESCALATION_POLICY_FILE (the shipped default when unset) and checked
like the rules file: a mistake stops start-up with the file, line and key. Routes match an alert post's
severity and its component's environment (a per-component mapping with a default); the first route that
matches is the chain. Mentions are Slack ids from the file only (user groups by name → subteam id), so
no alert text can choose whom a page mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml

from bot import durations
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
CHANNELS = ("slack", "email", "webhook", "pagerduty")
SEVERITIES = ("info", "warning", "critical")
MAX_STEPS = 10
_EMAIL = re.compile(r"^[^@\s<>,;\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
_STEP_KEYS = {"after", "channel", "mention", "to"}


class PolicyFileError(UserFacingError):
    """The escalation policy file is wrong; the message names the file, line and key."""


@dataclass(frozen=True)
class Mention:
    kind: str  # group | user
    id: str  # a subteam id (S…) or a user id (U…/W…)
    name: str = ""  # the group's name, as the policy calls it


@dataclass(frozen=True)
class Step:
    after: timedelta
    channel: str
    mention: tuple[Mention, ...] = ()
    to: tuple[str, ...] = ()  # email recipients; empty: SMTP_TO


@dataclass(frozen=True)
class Route:
    severities: tuple[str, ...]
    environments: tuple[str, ...]  # empty: every environment
    steps: tuple[Step, ...]

    def matches(self, severity: str, environment: str) -> bool:
        return severity in self.severities and (not self.environments or environment in self.environments)


@dataclass(frozen=True)
class EscalationPolicy:
    routes: tuple[Route, ...] = ()
    default_environment: str = "production"
    environments: dict[str, str] = field(default_factory=dict)  # component → environment
    source: str = ""

    def environment_of(self, component: str) -> str:
        return self.environments.get(component, self.default_environment)

    def route(self, severity: str, component: str) -> Route | None:
        environment = self.environment_of(component)
        return next((r for r in self.routes if r.matches(severity, environment)), None)

    @property
    def channels(self) -> set[str]:
        return {s.channel for r in self.routes for s in r.steps}


def load_policy(path: Path | None) -> EscalationPolicy:
    path = path or DEFAULT_POLICY
    try:
        root = read_yaml(path)
        return _policy(path, root) if root is not None else EscalationPolicy(source=str(path))
    except YamlFileError as error:
        raise PolicyFileError(str(error)) from None


def _policy(path: Path, root: Node) -> EscalationPolicy:
    top = entries(path, root, "the policy", {"slack_groups", "environments", "routes"})
    groups = slack_groups(path, top)
    default_env, by_component = "production", {}
    if "environments" in top:
        envs = entries(path, top["environments"][1], "environments", {"default", "components"})
        if "default" in envs:
            default_env = scalar(path, envs["default"][1], "environments.default", str)
        if "components" in envs:
            for component, (_key, value) in entries(path, envs["components"][1], "environments.components").items():
                by_component[component] = scalar(path, value, f"environments.components.{component}", str)
    routes_node = top["routes"][1] if "routes" in top else None
    if routes_node is not None and not isinstance(routes_node, yaml.SequenceNode):
        raise fail(path, routes_node, "routes must be a list of routes")
    routes = tuple(_route(path, node, f"routes[{n}]", groups)
                   for n, node in enumerate(routes_node.value if routes_node is not None else ()))
    return EscalationPolicy(routes, default_env, by_component, str(path))


def _words(path: Path, node: Node, where: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    words = tuple(scalar(path, item, where, str) for item in items)
    if allowed is not None and (wrong := [w for w in words if w not in allowed]):
        raise fail(path, node, f"{where}: {wrong[0]!r} is not one of {', '.join(allowed)}")
    return words


def _route(path: Path, node: Node, where: str, groups: dict[str, str]) -> Route:
    keys = entries(path, node, where, {"severity", "environment", "steps"})
    if "severity" not in keys or "steps" not in keys:
        raise fail(path, node, f"{where}: a route needs severity and steps")
    severities = _words(path, keys["severity"][1], f"{where}.severity", SEVERITIES)
    environments = _words(path, keys["environment"][1], f"{where}.environment") if "environment" in keys else ()
    steps_node = keys["steps"][1]
    if not isinstance(steps_node, yaml.SequenceNode) or not 1 <= len(steps_node.value) <= MAX_STEPS:
        raise fail(path, steps_node, f"{where}.steps must be a list of 1 to {MAX_STEPS} steps")
    steps = tuple(_step(path, s, f"{where}.steps[{n}]", groups) for n, s in enumerate(steps_node.value))
    for before, (n, later) in zip(steps, enumerate(steps[1:], 1), strict=False):
        if later.after < before.after:
            raise fail(path, steps_node.value[n], f"{where}.steps[{n}].after: steps run in order, so "
                                                   f"{durations.in_words(later.after)} cannot follow "
                                                   f"{durations.in_words(before.after)}")
    return Route(severities, environments, steps)


def _step(path: Path, node: Node, where: str, groups: dict[str, str]) -> Step:
    keys = entries(path, node, where, _STEP_KEYS)
    if "channel" not in keys:
        raise fail(path, node, f"{where}: a step needs a channel ({', '.join(CHANNELS)})")
    channel = _words(path, keys["channel"][1], f"{where}.channel", CHANNELS)[0]
    after = timedelta(0)
    if "after" in keys:
        raw = scalar(path, keys["after"][1], f"{where}.after", str)
        try:
            after = timedelta(0) if raw.strip() in ("0", "at once") else durations.parse_duration(raw)
        except durations.DurationError as error:
            raise fail(path, keys["after"][0], f"{where}.after: {error}") from None
    mention: tuple[Mention, ...] = ()
    if "mention" in keys:
        if channel != "slack":
            raise fail(path, keys["mention"][0], f"{where}.mention: only a slack step mentions people")
        mention = tuple(_mention(path, keys["mention"][0], f"{where}.mention", w, groups)
                        for w in _words(path, keys["mention"][1], f"{where}.mention"))
    to: tuple[str, ...] = ()
    if "to" in keys:
        if channel != "email":
            raise fail(path, keys["to"][0], f"{where}.to: only an email step has recipients")
        to = _words(path, keys["to"][1], f"{where}.to")
        if bad := [a for a in to if not _EMAIL.match(a)]:
            raise fail(path, keys["to"][0], f"{where}.to: {bad[0]!r} is not an email address")
    return Step(after, channel, mention, to)


def _mention(path: Path, key: Node, where: str, word: str, groups: dict[str, str]) -> Mention:
    if word.startswith("@"):
        if word[1:] not in groups:
            known = ", ".join(f"@{g}" for g in groups) or "none"
            raise fail(path, key, f"{where}: {word} is not in slack_groups (known: {known}); add it with "
                                   "its subteam id")
        return Mention("group", groups[word[1:]], word[1:])
    if SLACK_USER.match(word):
        return Mention("user", word)
    if SLACK_SUBTEAM.match(word):
        return Mention("group", word)
    raise fail(path, key, f"{where}: {word!r} is neither @group (from slack_groups) nor a Slack user id (U…)")
