"""Which model or pipeline an investigation is about, from an alert fingerprint or a user's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserFacingError
from bot.warehouse import Warehouse
from bot.warehouse.names import component_name


class UnknownComponent(UserFacingError):
    """The text names no known model or pipeline; the message lists the known ones."""


@dataclass(frozen=True)
class Subject:
    component: str
    kind: str  # model | pipeline
    text: str


def known_components(warehouse: Warehouse) -> dict[str, str]:
    """name → kind, from what the warehouse has measured."""
    models = warehouse.query("SELECT DISTINCT model_name AS name FROM MODEL_METRICS")
    pipelines = warehouse.query("SELECT DISTINCT pipeline_name AS name FROM DATA_QUALITY")
    # the names the monitor keys alerts by (bounded, no control characters), so a fingerprint resolves
    return ({component_name(r["name"]): "model" for r in models if r["name"]}
            | {component_name(r["name"]): "pipeline" for r in pipelines if r["name"]})


def resolve(text: str, known: dict[str, str]) -> Subject:
    """'F1 dropped on Classifier V2' → classifier_v2; 'model_drift:classifier_v2' → classifier_v2."""
    normalized = re.sub(r"[\s\-]+", "_", text.lower())
    for name in sorted(known, key=len, reverse=True):  # longest first: lstm_v1 before a shorter prefix
        if name.lower() in normalized:
            return Subject(name, known[name], text)
    names = ", ".join(sorted(known)) or "none yet (seed the warehouse: agentops seed --scenario drift)"
    guess = re.search(r"\b[a-z]+_[a-z0-9_]+\b", text.lower())
    said = f"I don't know {guess.group(0)!r}" if guess else "I couldn't tell which model or pipeline you mean"
    raise UnknownComponent(f"{said}; known models and pipelines: {names}")
