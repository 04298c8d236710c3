"""Reading a configuration YAML file with line numbers, so every mistake names the file, line and key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

import yaml

from bot.errors import UserFacingError

Node = yaml.Node
T = TypeVar("T")


class YamlFileError(UserFacingError):
    """The message names the file and the line."""


def read_yaml(path: Path) -> Node | None:
    """The file's node tree (None when empty); unreadable or invalid YAML → YamlFileError."""
    try:
        return yaml.compose(path.read_text())
    except OSError as error:
        raise YamlFileError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise YamlFileError(f"{path}:{where}: not valid YAML ({getattr(error, 'problem', error)})") from None


def mapping(path: Path, node: Node, where: str) -> dict[str, tuple[Node, Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise YamlFileError(f"{path}:line {node.start_mark.line + 1}: {where} must be a mapping")
    return {key.value: (key, value) for key, value in node.value}


def entries(path: Path, node: Node, where: str, allowed: set[str] | None = None) -> dict[str, tuple[Node, Node]]:
    """A mapping whose keys must be among `allowed` (when given)."""
    found = mapping(path, node, where)
    if allowed is not None and (unknown := sorted(set(found) - allowed)):
        raise YamlFileError(f"{path}:line {found[unknown[0]][0].start_mark.line + 1}: {where}: unknown key "
                            f"{unknown[0]!r} (expected {', '.join(sorted(allowed))})")
    return found


def scalar(path: Path, node: Node, where: str, kind: type[T]) -> T:
    value = yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, kind) or value == "":
        raise YamlFileError(f"{path}:line {node.start_mark.line + 1}: {where} must be a {kind.__name__}, "
                            f"got {yaml.safe_load(yaml.serialize(node))!r}")
    return value


# Slack ids and names as the policy files write them (the escalation and the action policy alike)
SLACK_SUBTEAM = re.compile(r"^S[A-Z0-9]{2,20}$")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


def fail(path: Path, node: Node, message: str) -> YamlFileError:
    """A mistake at `node`: the file, its line, then the message."""
    return YamlFileError(f"{path}:line {node.start_mark.line + 1}: {message}")


def slack_groups(path: Path, top: dict[str, tuple[Node, Node]]) -> dict[str, str]:
    """A policy's `slack_groups:` section (name → subteam id), checked; empty when it has none."""
    groups: dict[str, str] = {}
    for name, (key, value) in (entries(path, top["slack_groups"][1], "slack_groups").items()
                               if "slack_groups" in top else ()):
        subteam = scalar(path, value, f"slack_groups.{name}", str)
        if not GROUP_NAME.match(name) or not SLACK_SUBTEAM.match(subteam):
            raise fail(path, key, f"slack_groups.{name}: expected a group name and its subteam id "
                                  f"(S followed by letters and digits, e.g. S0123ABCD), got {subteam!r}")
        groups[name] = subteam
    return groups
