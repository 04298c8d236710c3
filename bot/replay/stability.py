"""Stability across the demo scenarios: each scenario's investigation recorded once, then replayed N times
under each perturbation kind. A scenario whose outcome flips is named with the thresholds its runs
crossed; every scenario is shown with the threshold it sits nearest to, in spreads of its own noise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agents.investigator import investigate
from agents.knowledge import KnowledgeBase
from agents.subject import known_components, resolve
from agents.tools import ToolContext
from bot.clock import ManualClock
from bot.config import Settings
from bot.monitor.sweep import sweep
from bot.replay.capture import Capture
from bot.replay.engine import Outcome, Replay, replay
from bot.replay.record import Record
from bot.replay.thresholds import nearest
from bot.rules import RuleSet
from bot.warehouse import Warehouse


@dataclass
class ScenarioStability:
    scenario: str
    record: Record
    original: Outcome
    replays: dict[str, Replay] = field(default_factory=dict)  # perturbation kind → its runs

    @property
    def flips(self) -> list[str]:
        """The thresholds the diverged runs crossed, each once (empty: no run flipped)."""
        named = [t for r in self.replays.values() for run in r.diverged for t in run.crossed]
        return list(dict.fromkeys(named))

    @property
    def unexplained(self) -> int:
        return sum(run.perturbation == "metrics" and not run.crossed for r in self.replays.values()
                   for run in r.diverged)


def record_scenario(warehouse: Warehouse, knowledge: KnowledgeBase, rules: RuleSet, settings: Settings,
                    now: datetime, component: str) -> tuple[Record, Outcome]:
    """The offline investigation an on-call engineer would start: on the alert the sweep raises for
    `component` (its fingerprint as the request), else on the component's name; recorded as it runs."""
    fired = [a.fingerprint for a in sweep(warehouse, rules, now).alerts if a.fingerprint.endswith(f":{component}")]
    subject = resolve(fired[0] if fired else component, known_components(warehouse))
    capture = Capture(warehouse, None, now)
    ctx = ToolContext(capture.warehouse, knowledge, ManualClock(now), rules=rules)
    result = investigate(ctx, subject, None, None, settings)
    return capture.record(subject, result, rules, alert_id=None), Outcome.of(result.diagnosis)


def scenario_stability(scenario: str, record: Record, original: Outcome, kinds: list[str], n: int, seed: int,
                       knowledge: KnowledgeBase, settings: Settings, scale: float = 1.0) -> ScenarioStability:
    result = ScenarioStability(scenario, record, original)
    for kind in kinds:
        result.replays[kind] = replay(record, original, [kind], n, seed, knowledge, settings, scale=scale)
    return result


def as_json(results: list[ScenarioStability]) -> list[dict]:
    out = []
    for r in results:
        near = nearest(r.record)
        out.append({"scenario": r.scenario, "component": r.record.component, "request": r.record.text,
                    "original": {"category": r.original.category, "gated": list(r.original.gated),
                                 "confidence": r.original.confidence},
                    "stability": {k: rep.stability for k, rep in r.replays.items()},
                    "runs": {k: len(rep.runs) for k, rep in r.replays.items()},
                    "diverged": {k: [run.divergence for run in rep.diverged] for k, rep in r.replays.items()},
                    "flips_at": r.flips, "unexplained": r.unexplained,
                    "nearest_threshold": near[1] if near else None})
    return out


def table(results: list[ScenarioStability], kinds: list[str]) -> list[str]:
    """One line per scenario: its original outcome, stability per kind, and where it would flip."""
    width = max([len("scenario")] + [len(r.scenario) for r in results])
    lines = [f"{'scenario':{width}s}  {'original':52s}  " + "  ".join(f"{k:>7s}" for k in kinds)]
    for r in results:
        cells = "  ".join(f"{r.replays[k].stability:>7.0%}" for k in kinds)
        lines.append(f"{r.scenario:{width}s}  {r.original.shown():52s}  {cells}")
    for r in results:
        near = nearest(r.record)
        if r.flips:
            lines.append(f"{r.scenario}: flips at " + "; ".join(r.flips))
        if r.unexplained:
            lines.append(f"{r.scenario}: {r.unexplained} divergences crossed no named threshold")
        if near:
            lines.append(f"{r.scenario}: nearest threshold: {near[1]}")
    return lines
