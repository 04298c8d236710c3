"""The replay engine: the recorded investigation re-run N times per perturbation on a deterministic tool
layer (bot/replay/tape.py), with the recorded rules and a clock fixed at the recorded start. Only the
perturbation and the investigator vary; a run is stable when it reaches the original's root-cause
category and the same gated actions (retrain_model, rollback_model)."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING

from agents.diagnosis import GATED_ACTIONS, Diagnosis
from agents.investigation import Usage
from agents.investigator import investigate
from agents.knowledge import KnowledgeBase
from agents.subject import Subject, UnknownComponent, resolve
from agents.tools import ToolContext
from bot.clock import Clock, ManualClock, aware_utc
from bot.config import Settings
from bot.ml_service import without_credentials
from bot.replay.noise import components_read
from bot.replay.perturb import Jitter, Perturbed, perturb
from bot.replay.record import Record
from bot.replay.tape import ReplayMLService, ReplayWarehouse
from bot.replay.thresholds import crossings
from bot.warehouse import WarehouseError

if TYPE_CHECKING:
    import anthropic

    from bot.budgets.meter import SpendMeter

log = logging.getLogger("agentops.replay")
ModelCall = Callable[[float, bool], None]  # seconds, ok: what the operator metrics time model calls with


@dataclass(frozen=True)
class Outcome:
    category: str
    gated: tuple[str, ...]  # the gated actions proposed, sorted
    confidence: float

    @classmethod
    def of(cls, diagnosis: Diagnosis) -> Outcome:
        gated = sorted({a.action for a in diagnosis.recommended_actions if a.action in GATED_ACTIONS})
        return cls(diagnosis.root_cause_category, tuple(gated), diagnosis.confidence)

    def shown(self) -> str:
        return f"{self.category} [{', '.join(self.gated) or 'no gated action'}]"


@dataclass
class Run:
    number: int
    perturbation: str
    seed: int
    request: str  # the request the run asked (a paraphrase under `text`)
    outcome: Outcome | None  # None: the run could not finish (what it needed was not in the record)
    stable: bool
    divergence: str = ""  # how it differed from the original, and why
    engine: str = "offline"
    diagnosis: Diagnosis | None = None
    crossed: list[str] = field(default_factory=list)  # the thresholds a jitter carried a value across
    usage: Usage = field(default_factory=Usage)  # the model calls a Claude run made (none offline)


@dataclass
class Replay:
    original: Outcome
    investigator: str  # offline, or "Claude replay: <model> at <endpoint>"
    runs: list[Run] = field(default_factory=list)
    planned: int = 0  # the runs asked for; more than len(runs) when the deadline stopped the replay early

    @property
    def stopped_early(self) -> bool:
        return len(self.runs) < self.planned

    @property
    def stability(self) -> float:
        return sum(r.stable for r in self.runs) / len(self.runs) if self.runs else 1.0

    def by_kind(self) -> dict[str, float]:
        kinds = dict.fromkeys(r.perturbation for r in self.runs)
        return {k: sum(r.stable for r in self.runs if r.perturbation == k) /
                sum(1 for r in self.runs if r.perturbation == k) for k in kinds}

    def confidence_spread(self) -> tuple[float, float, float]:
        """min, median, max confidence of the runs that finished."""
        values = [r.outcome.confidence for r in self.runs if r.outcome is not None] or [self.original.confidence]
        return min(values), statistics.median(values), max(values)

    @property
    def usage(self) -> Usage:
        """The replay's model calls, all runs together: tokens and dollars spent."""
        total = Usage()
        for run in self.runs:
            for name in (f.name for f in fields(Usage)):
                setattr(total, name, getattr(total, name) + getattr(run.usage, name))
        return total

    @property
    def diverged(self) -> list[Run]:
        return [r for r in self.runs if not r.stable]


def replay(record: Record, original: Outcome, kinds: list[str], n: int, seed: int, knowledge: KnowledgeBase,
           settings: Settings, client: anthropic.Anthropic | None = None, scale: float = 1.0,
           on_model_call: ModelCall | None = None, clock: Clock | None = None,
           until: datetime | None = None, meter: SpendMeter | None = None) -> Replay:
    """n runs of each perturbation kind; run i of a kind uses seed + i, so a replay is reproducible. No run
    starts once `clock` reads `until`: the runs done are the result."""
    result = Replay(original, investigator_label(record, client), planned=len(kinds) * n)
    number = 0
    for kind in kinds:
        for i in range(n):
            if clock is not None and until is not None and clock.now() >= until:
                log.warning("replay stopped at its deadline after %d of %d runs", number, result.planned)
                return result
            number += 1
            result.runs.append(run_once(record, original, perturb(record, kind, seed + i, scale), knowledge, settings,
                                        number, client, on_model_call, meter))
    return result


def investigator_label(record: Record, client: anthropic.Anthropic | None) -> str:
    if client is None:
        return "offline investigator (the runbooks' decision trees in code)"
    # the endpoint as stored and shown: credentials in a base URL never reach the replays table or a message
    endpoint = without_credentials(str(client.base_url))
    return (f"Claude replay: model {record.model} at {endpoint} — these runs measure this replay against "
            "this endpoint only, not the model's stability in general")


def run_once(record: Record, original: Outcome, perturbed: Perturbed, knowledge: KnowledgeBase, settings: Settings,
             number: int = 0, client: anthropic.Anthropic | None = None,
             on_model_call: ModelCall | None = None, meter: SpendMeter | None = None) -> Run:
    warehouse = ReplayWarehouse(record, perturbed.lens) if perturbed.lens else ReplayWarehouse(record)
    ctx = ToolContext(warehouse, knowledge, ManualClock(aware_utc(record.started_at)),
                      ml_service=ReplayMLService(record), rules=record.rules, on_model_call=on_model_call or _untimed)
    if meter is not None:  # each Claude call is checked against and charged to the shared budget
        ctx.over_budget, ctx.on_spend = meter.over_budget, meter.spent
    run = Run(number, perturbed.kind, perturbed.seed, perturbed.text, None, False)
    try:
        subject = _subject(record, perturbed)
        if client is not None:  # the recorded model, whatever the settings name today
            settings = settings.model_copy(update={"anthropic_model": record.model or settings.anthropic_model})
        result = investigate(ctx, subject, record.alert_id, client, settings, record.briefing if client else None)
    except (UnknownComponent, WarehouseError) as error:
        run.divergence = f"could not finish: {error}"
        return run
    run.engine, run.outcome, run.diagnosis = result.engine, Outcome.of(result.diagnosis), result.diagnosis
    run.usage = result.usage
    run.stable = (run.outcome.category, run.outcome.gated) == (original.category, original.gated)
    if client is not None and result.engine != "claude":
        run.stable, run.divergence = False, f"Claude did not answer ({result.problem}); the offline fallback answered"
    elif not run.stable:
        run.divergence = f"{original.shown()} → {run.outcome.shown()}"
        if isinstance(perturbed.lens, Jitter):
            crossed = crossings(record, perturbed.lens)
            run.crossed = [c.threshold for c in crossed]
            run.divergence += (f" because {'; '.join(c.text for c in crossed)}" if crossed
                               else " with no named threshold crossed (unexplained)")
    return run


def _untimed(_seconds: float, _ok: bool) -> None:
    """A replay the operator metrics do not watch (the CLI's)."""


def _subject(record: Record, perturbed: Perturbed) -> Subject:
    """The recorded subject; a paraphrase is resolved again, against the components the record read."""
    if perturbed.kind != "text":
        return Subject(record.component, record.kind, record.text)
    read = components_read(record.calls)
    known = {c: "model" if table == "MODEL_METRICS" else "pipeline" for c, table in read.items()}
    resolved = resolve(perturbed.text, known | {record.component: record.kind})
    return Subject(resolved.component, resolved.kind, perturbed.text)

