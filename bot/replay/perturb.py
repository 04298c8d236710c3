"""Perturbations, each named and reproducible by its seed:

- text: the request paraphrased (bot/replay/phrasings.py);
- metrics: numbers in the recorded rows moved within the component's own noise (its 7-day spread, per
  column), the same (component, column, time) moved the same way in every query, so the latest row of
  one tool and the last point of another's trend still agree;
- order: rows reordered wherever the query's ORDER BY leaves their order open (ties, or no ORDER BY).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.clock import naive_utc
from bot.replay.phrasings import paraphrase
from bot.replay.record import Call, Record
from bot.replay.tape import Lens, Rows

KINDS = ("text", "metrics", "order")
# a trend query names its metric only in the SQL (`SELECT timestamp, f1_score AS value`)
_TREND_METRIC = re.compile(r"SELECT timestamp, (\w+) AS value")
_ORDER_BY = re.compile(r"ORDER BY ((?:(?!\bLIMIT\b).)+?)\s*(?:LIMIT\b|$)", re.IGNORECASE | re.DOTALL)


@dataclass
class Perturbed:
    """One run's inputs: the request it asks and how the record's answers are changed."""

    kind: str  # none | text | metrics | order
    seed: int
    text: str
    lens: Lens | None = None
    notes: list[str] = field(default_factory=list)


def perturb(record: Record, kind: str, seed: int, scale: float = 1.0) -> Perturbed:
    """Run `seed` of perturbation `kind`; `scale` widens metric jitter to that many spreads (1: the noise)."""
    rng = random.Random(f"{kind}:{seed}")
    if kind == "text":
        return Perturbed(kind, seed, paraphrase(record.text, record.component, record.kind, rng))
    if kind == "metrics":
        return Perturbed(kind, seed, record.text, Jitter(record, seed, scale))
    if kind == "order":
        return Perturbed(kind, seed, record.text, Reorder(seed))
    if kind == "none":
        return Perturbed(kind, seed, record.text)
    raise ValueError(f"unknown perturbation {kind!r}; use {', '.join(KINDS)}")


def _unit(*key: object) -> float:
    """A number in [-1, 1] that depends only on its key: the same jitter wherever the same value appears."""
    digest = hashlib.sha256(repr(key).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1.0


class Jitter:
    """Moves each number by up to `scale` standard deviations of its component's 7-day baseline."""

    def __init__(self, record: Record, seed: int, scale: float = 1.0) -> None:
        self.noise, self.seed, self.scale = record.noise, seed, scale
        self._start = naive_utc(record.started_at)

    def __call__(self, call: Call, rows: Rows) -> Rows:
        component = about(call)
        if component is None:
            return rows
        alias = _TREND_METRIC.search(call.op)
        return [self.row(component, row, {"value": alias.group(1)} if alias else {}) for row in rows]

    def row(self, component: str, row: dict[str, Any], aliases: dict[str, str] | None = None) -> dict[str, Any]:
        # a feature's numbers move with that feature's own spread
        key = f"{component}/{row['feature_name']}" if "feature_name" in row else component
        spread = self.noise.get(key, {})
        moved = dict(row)
        for column, value in row.items():
            name = (aliases or {}).get(column, column)
            if name in spread and isinstance(value, int | float) and not isinstance(value, bool):
                moved[column] = self.value(key, name, row.get("timestamp"), value, spread[name])
        return moved

    def value(self, key: str, column: str, when: object, value: float, spread: float) -> float:
        # keyed by the measurement's age in minutes, not its wall time: a seed moves a re-seeded scenario alike
        age = round((self._start - when).total_seconds() / 60) if isinstance(when, datetime) else str(when)
        jittered = value + self.scale * spread * _unit(self.seed, key, column, age)
        if isinstance(value, int):
            return max(0, round(jittered))
        if column.endswith("_rate") or column in ("drift_score", "f1_score", "precision_score", "recall_score",
                                                  "auc_roc", "psi_score", "ks_statistic"):
            return min(max(jittered, 0.0), 1.0) if column != "psi_score" else max(jittered, 0.0)
        return jittered


class Reorder:
    """Shuffles rows, then puts back the order the query fixes: only ties (or unordered results) move."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, call: Call, rows: Rows) -> Rows:
        shuffled = list(rows)
        random.Random(f"order:{self.seed}:{call.op}:{call.params}").shuffle(shuffled)
        found = _ORDER_BY.findall(call.op)
        if not found:
            return shuffled
        for term in reversed([t.strip() for t in found[-1].split(",")]):  # stable sorts, last key first
            column, _, direction = term.partition(" ")
            key = column.split(".")[-1].lower()
            shuffled.sort(key=lambda r, k=key: (r.get(k) is None, r.get(k)),  # type: ignore[misc]
                          reverse=direction.strip().upper() == "DESC")
        return shuffled


def about(call: Call) -> str | None:
    """The component a recorded query was about (its bound name), if any."""
    params = call.params or {}
    for key in ("m", "c", "p"):
        if isinstance(params.get(key), str):
            return str(params[key])
    return None
