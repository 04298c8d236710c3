"""Why a jittered run diverged: the thresholds its jitter carried a value across, in the latest
measurement of each component the record read. The thresholds are the record's RuleSet (the one the
monitor alerted with) and the offline investigator's own named policy lines (the runbook's F1 floor, the
PSI above which a feature counts as drifted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.offline import F1_DROP
from agents.tools.drift import HIGHLIGHT_PSI
from bot.replay.codec import decode
from bot.replay.perturb import Jitter, about
from bot.replay.record import Record
from bot.rules import Rule, Severity


def latest_rows(record: Record) -> dict[str, dict[str, Any]]:
    """component → its latest full measurement among the recorded rows (a metrics or data-quality row)."""
    latest: dict[str, dict[str, Any]] = {}
    for call in record.calls:
        component = about(call)
        if component is None or call.error or not isinstance(call.result, list):
            continue
        for row in _decoded(call.result):
            if "timestamp" not in row or not ({"f1_score", "null_rate"} & row.keys()):
                continue
            if component not in latest or row["timestamp"] > latest[component]["timestamp"]:
                latest[component] = row
    return latest


@dataclass(frozen=True)
class Crossing:
    threshold: str  # "classifier_v2 model_drift critical 0.3"
    text: str  # "classifier_v2 drift_score 0.447 → 0.266: fell below model_drift critical 0.3"


def crossings(record: Record, jitter: Jitter) -> list[Crossing]:
    """Every named threshold the jitter moved a latest value across."""
    found: list[Crossing] = []
    for component, row in sorted(latest_rows(record).items()):
        moved = jitter.row(component, row)
        target = "model" if "f1_score" in row else "pipeline"
        for rule in record.rules.for_component(component, target):
            before, after = row.get(rule.column), moved.get(rule.column)
            if rule.direction == "equals" or before is None or after is None:
                continue  # a status is not jittered: only numbers move
            if rule.severity(before) != rule.severity(after):
                found.append(_crossed(component, rule, float(before), float(after)))
        if target == "model":
            found += _policy(record, component, row, moved, jitter)
    return found


def nearest(record: Record) -> tuple[float, str] | None:
    """The threshold the record's latest values sit nearest to, in spreads of the component's own noise:
    where a wobble would first flip an outcome. None when no latest value has a numeric rule and a spread."""
    found: list[tuple[float, str]] = []
    for component, row in latest_rows(record).items():
        spread = record.noise.get(component, {})
        target = "model" if "f1_score" in row else "pipeline"
        for rule in record.rules.for_component(component, target):
            value = row.get(rule.column)
            if rule.direction == "equals" or value is None or not spread.get(rule.column):
                continue
            for level in ("warning", "critical"):
                limit = rule.limit_for(level)
                if limit is not None:
                    away = abs(float(value) - float(limit)) / spread[rule.column]
                    side = "above" if float(value) > float(limit) else "below"
                    found.append((away, f"{component} {rule.column} {float(value):.3g} is {away:.1f} spreads {side} "
                                        f"{rule.name} {level} {float(limit):g}"))
    return min(found) if found else None


def _crossed(component: str, rule: Rule, before: float, after: float) -> Crossing:
    levels = {rule.severity(before), rule.severity(after)}
    level: Severity = "critical" if "critical" in levels else "warning"
    limit = float(rule.limit_for(level) or 0)
    side = "above" if after > limit else "below"
    threshold = f"{rule.name} {level} {limit:g}"
    return Crossing(f"{component} {threshold}", f"{component} {rule.column} {before:.3g} → {after:.3g}: "
                    f"{'rose' if after > before else 'fell'} {side} {threshold}")


def _policy(record: Record, model: str, row: dict[str, Any], moved: dict[str, Any],
            jitter: Jitter) -> list[Crossing]:
    found = []
    baseline = _baseline_f1(record, model)
    if baseline:
        floor = baseline * (1 - F1_DROP)
        if (row["f1_score"] < floor) != (moved["f1_score"] < floor):
            threshold = f"the runbook's F1 floor {floor:.3f} (7-day baseline {baseline:.3f} − {F1_DROP:.0%})"
            found.append(Crossing(f"{model} {threshold}", f"{model} f1_score {row['f1_score']:.3g} → "
                                  f"{moved['f1_score']:.3g}: crossed {threshold}"))
    for call in record.calls:
        if about(call) == model and "FROM FEATURE_DRIFT" in call.op and isinstance(call.result, list):
            for feature in _decoded(call.result):
                psi, after = feature["psi_score"], jitter.row(model, feature)["psi_score"]
                if (psi > HIGHLIGHT_PSI) != (after > HIGHLIGHT_PSI):
                    threshold = f"the drifted-feature line PSI {HIGHLIGHT_PSI:g}"
                    found.append(Crossing(f"{model} {feature['feature_name']} {threshold}",
                                          f"{model} {feature['feature_name']} psi_score {psi:.3g} → {after:.3g}: "
                                          f"crossed {threshold}"))
            break
    return found


def _baseline_f1(record: Record, model: str) -> float | None:
    for call in record.calls:
        if about(call) == model and "AVG(f1_score) AS f1" in call.op and call.result:
            value = _decoded(call.result)[0].get("f1")
            return float(value) if value is not None else None
    return None


def _decoded(rows: list[Any]) -> list[dict[str, Any]]:
    return [decode(r) for r in rows]

