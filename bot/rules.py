"""Alert rules: DESIGN §5's defaults, overridable globally and per model/pipeline from YAML.

A rule fires only when its condition holds on each of the latest `for` measurements (like
Prometheus `for:`), so one noisy batch does not page anyone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.analytics.health_rules import AgentHealthRules, parse_agent_health
from bot.errors import UserFacingError
from bot.yaml_file import YamlFileError, mapping, read_yaml

Severity = Literal["critical", "warning"]
SEVERITY_ORDER = {"healthy": 0, "info": 1, "warning": 2, "critical": 3}
ALERT_TYPES = ("model_drift", "data_quality", "latency", "accuracy_drop", "anomaly_spike")


@dataclass(frozen=True)
class Rule:
    name: str
    alert_type: str
    target: Literal["model", "pipeline"]
    column: str
    direction: Literal["above", "below", "equals"]
    warning: float | str | None
    critical: float | str | None
    for_count: int = 2

    def severity(self, value: float | str | None) -> Severity | None:
        """The severity one measurement breaches, if any."""
        if value is None:
            return None
        for level, limit in (("critical", self.critical), ("warning", self.warning)):
            if limit is None:
                continue
            if self.direction == "equals":
                breached = value == limit
            elif self.direction == "above":
                breached = float(value) > float(limit)
            else:
                breached = float(value) < float(limit)
            if breached:
                return level  # type: ignore[return-value]
        return None

    def limit_for(self, severity: Severity) -> float | str | None:
        return self.critical if severity == "critical" else self.warning


DEFAULT_RULES = (
    Rule("model_drift", "model_drift", "model", "drift_score", "above", 0.2, 0.3),
    Rule("accuracy_drop", "accuracy_drop", "model", "f1_score", "below", None, 0.88),
    Rule("latency_p95", "latency", "model", "latency_p95_ms", "above", 500, None),
    Rule("latency_p99", "latency", "model", "latency_p99_ms", "above", None, 1000),
    Rule("anomaly_spike", "anomaly_spike", "model", "anomaly_rate", "above", 0.10, 0.20),
    Rule("null_rate", "data_quality", "pipeline", "null_rate", "above", 0.05, 0.10),
    Rule("pipeline_status", "data_quality", "pipeline", "status", "equals", "warning", "critical"),
)
_TUNABLE = {"warning", "critical", "for"}


class RulesFileError(UserFacingError):
    """The rules file is wrong; the message names the file, line and key."""


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = DEFAULT_RULES
    overrides: dict[str, tuple[Rule, ...]] | None = None  # component → its rules
    stale_after: timedelta = timedelta(hours=3)
    lookback: timedelta = timedelta(hours=24)  # how far back a sweep reads (SWEEP_LOOKBACK)
    source: str = ""  # the rules file, and where each override starts in it, for start-up checks
    override_lines: dict[str, int] | None = None
    # when the bot's own drift pages (the rules file's agent_health: section)
    agent_health: AgentHealthRules = dataclasses.field(default_factory=AgentHealthRules)

    def for_component(self, component: str, target: str) -> tuple[Rule, ...]:
        rules = (self.overrides or {}).get(component, self.rules)
        return tuple(r for r in rules if r.target == target)

    @property
    def deepest_for(self) -> int:
        """How many latest measurements a sweep must read to evaluate every rule."""
        every = list(self.rules) + [r for rules in (self.overrides or {}).values() for r in rules]
        return max(r.for_count for r in every)


def load_rules(path: Path | None, stale_after: timedelta, lookback: timedelta = timedelta(hours=24)) -> RuleSet:
    """Defaults, with the file's `defaults:` and per-component `overrides:` applied."""
    if path is None:
        return RuleSet(stale_after=stale_after, lookback=lookback)
    try:
        root = read_yaml(path)
    except YamlFileError as error:
        raise RulesFileError(str(error)) from None
    if root is None:
        return RuleSet(stale_after=stale_after, lookback=lookback)
    sections = _mapping(path, root, "top level")
    unknown = set(sections) - {"defaults", "overrides", "agent_health"}
    if unknown:
        key = sorted(unknown)[0]
        raise RulesFileError(f"{path}:line {sections[key][0].start_mark.line + 1}: unknown section {key!r} "
                             "(expected defaults, overrides and/or agent_health)")
    base = (_apply(path, DEFAULT_RULES, sections["defaults"][1], "defaults") if "defaults" in sections
            else DEFAULT_RULES)
    overrides: dict[str, tuple[Rule, ...]] = {}
    lines: dict[str, int] = {}
    if "overrides" in sections:
        for component, (name_node, node) in _mapping(path, sections["overrides"][1], "overrides").items():
            overrides[component] = _apply(path, base, node, f"overrides.{component}")
            lines[component] = name_node.start_mark.line + 1
    try:
        health = parse_agent_health(path, sections["agent_health"][1]) if "agent_health" in sections else None
    except YamlFileError as error:
        raise RulesFileError(str(error)) from None
    return RuleSet(base, overrides, stale_after, lookback, str(path), lines, health or AgentHealthRules())


def unknown_components(rules: RuleSet, known: set[str]) -> list[str]:
    """A line for each override naming a component the warehouse has never measured (a typo pages nobody)."""
    return [f"{rules.source}:line {(rules.override_lines or {}).get(name, '?')}: overrides.{name}: the warehouse "
            f"has never measured a model or pipeline named {name!r}; check the name"
            for name in sorted(rules.overrides or {}) if name not in known]


def _check_order(path: Path, rule: Rule, where: str, line: int) -> None:
    # a rule fires its warning before its critical: for "above" the warning limit is the lower one
    w, c = rule.warning, rule.critical
    if rule.direction == "equals" or not isinstance(w, float | int) or not isinstance(c, float | int):
        return
    if (rule.direction == "above" and w > c) or (rule.direction == "below" and w < c):
        side, other = ("above", "below") if rule.direction == "above" else ("below", "above")
        raise RulesFileError(f"{path}:line {line}: {where}.{rule.name}: warning {w:g} is {side} critical {c:g}; "
                             f"{rule.column} alerts {side} its limits, so warning must be {other} critical")


def _mapping(path: Path, node: yaml.Node, where: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    try:
        return mapping(path, node, where)
    except YamlFileError as error:
        raise RulesFileError(str(error)) from None


def _apply(path: Path, rules: tuple[Rule, ...], node: yaml.Node, where: str) -> tuple[Rule, ...]:
    by_name = {r.name: r for r in rules}
    changed = dict(by_name)
    for name, (key_node, value_node) in _mapping(path, node, "a rules block").items():
        line = key_node.start_mark.line + 1
        if name not in by_name:
            raise RulesFileError(f"{path}:line {line}: unknown rule {name!r} (rules: {', '.join(by_name)})")
        fields = {}
        for field, (field_key, field_value) in _mapping(path, value_node, name).items():
            field_line = field_key.start_mark.line + 1
            if field not in _TUNABLE:
                raise RulesFileError(f"{path}:line {field_line}: {name}.{field} is not tunable "
                                     f"(use warning, critical or for)")
            fields[field] = _value(path, name, field, field_value, field_line, by_name[name])
        rule = by_name[name]
        changed[name] = replace(rule, warning=fields.get("warning", rule.warning),
                                critical=fields.get("critical", rule.critical),
                                for_count=fields.get("for", rule.for_count))
        _check_order(path, changed[name], where, line)
    return tuple(changed.values())


def _value(path: Path, rule: str, field: str, node: yaml.Node, line: int, current: Rule) -> Any:
    raw = yaml.safe_load(yaml.serialize(node))
    if field == "for":
        if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 100:
            raise RulesFileError(f"{path}:line {line}: {rule}.for must be a whole number of measurements "
                                 f"from 1 to 100, got {raw!r}")
        return raw
    if raw is None:
        return None  # switches that level off
    if current.direction == "equals":
        if not isinstance(raw, str):
            raise RulesFileError(f"{path}:line {line}: {rule}.{field} must be a status such as 'critical'")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RulesFileError(f"{path}:line {line}: {rule}.{field} must be a number, got {raw!r}")
    return float(raw)


@dataclass(frozen=True)
class Breach:
    rule: Rule
    severity: Severity
    value: float | str


def breaches(row: dict, rules: tuple[Rule, ...]) -> list[Breach]:
    """What one measurement breaches (no `for`): the fleet snapshot's view of right now."""
    found = []
    for rule in rules:
        severity = rule.severity(row.get(rule.column))
        if severity:
            found.append(Breach(rule, severity, row[rule.column]))
    return found


def overall(found: list[Breach]) -> str:
    """healthy | warning | critical: the worst of the breaches."""
    return max((b.severity for b in found), key=SEVERITY_ORDER.__getitem__, default="healthy")
