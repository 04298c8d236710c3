"""The rules file's `agent_health:` section: when the bot's own drift pages (SPEC §9).

    agent_health:
      confidence_drop: 0.10   # mean diagnosis confidence, last 7 days vs the 30 before, relative fall
      escalation_rise: 0.20   # escalation rate, same windows, relative rise
      min_sample: 10          # fewer investigations (or closed incidents) in either window: not judged
      severity: warning       # of the agent_health alert (the escalation policy routes by it)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.yaml_file import YamlFileError, entries


@dataclass(frozen=True)
class AgentHealthRules:
    confidence_drop: float = 0.10
    escalation_rise: float = 0.20
    min_sample: int = 10
    severity: str = "warning"


def parse_agent_health(path: Path, node: yaml.Node) -> AgentHealthRules:
    """The section, checked key by key; a mistake names the file, line and key (YamlFileError)."""
    found = entries(path, node, "agent_health", set(AgentHealthRules.__dataclass_fields__))
    values: dict[str, object] = {}
    for key, (key_node, value_node) in found.items():
        raw = yaml.safe_load(yaml.serialize(value_node))
        where = f"{path}:line {key_node.start_mark.line + 1}: agent_health.{key}"
        if key in ("confidence_drop", "escalation_rise"):
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw < 10:
                raise YamlFileError(f"{where} must be a relative change above 0, e.g. 0.10 for 10 %, got {raw!r}")
            values[key] = float(raw)
        elif key == "min_sample":
            if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 10_000:
                raise YamlFileError(f"{where} must be a whole number from 1 to 10000, got {raw!r}")
            values[key] = raw
        elif raw not in ("warning", "critical"):
            raise YamlFileError(f"{where} must be warning or critical, got {raw!r}")
        else:
            values[key] = raw
    return AgentHealthRules(**values)  # type: ignore[arg-type]
