"""Replaying a stored investigation: found by its id or by an alert's fingerprint (its latest finished
investigation), re-run from its record with the investigator that answered, and stored as a replay
with its runs. Every refusal says what to do instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from agents.diagnosis import Diagnosis
from agents.knowledge import KnowledgeBase
from bot.analytics.text import usd
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.errors import UserFacingError
from bot.metrics import Metrics
from bot.replay.engine import Outcome, Replay, replay
from bot.replay.perturb import KINDS
from bot.replay.record import Record
from bot.store import Store

if TYPE_CHECKING:
    import anthropic

    from bot.budgets.meter import SpendMeter

MAX_RUNS = 200  # per perturbation kind: a replay is meant to take seconds, not an afternoon
MAX_SEED = 2**31 - 1  # replays.seed and replay_runs.seed are 32-bit integers (PostgreSQL refuses more)


class ReplayRefused(UserFacingError):
    """The replay cannot run; the message says why and what to do."""


@dataclass
class Replayed:
    investigation_id: str
    replay_id: str
    record: Record
    result: Replay
    kinds: list[str]
    n: int
    seed: int


def kinds_of(text: str) -> list[str]:
    """'text,metrics' → ['text', 'metrics'], each a known perturbation."""
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise ReplayRefused(f"unknown perturbation {', '.join(unknown) or '(none given)'}; use any of "
                            f"{', '.join(KINDS)}, comma-separated")
    return list(dict.fromkeys(kinds))


def find(store: Store, ref: str) -> tuple[str, Record, Outcome]:
    """The investigation `ref` names (an id, or an alert fingerprint), its record and its original outcome."""
    investigation = store.investigations.get(ref)
    if investigation is None:
        found = store.replays.latest_investigation_of(ref)
        investigation = store.investigations.get(found) if found else None
    if investigation is None:
        raise ReplayRefused(f"no investigation {ref!r}: give an investigation id or the fingerprint of an alert that "
                            "was investigated, e.g. model_drift:classifier_v2")
    name = investigation.investigation_id
    if investigation.status != "done" or investigation.diagnosis is None:
        raise ReplayRefused(f"investigation {name} is {investigation.status}; only a finished investigation can be "
                            "replayed")
    kept = store.replays.record(name)
    if kept is None:
        raise ReplayRefused(f"investigation {name} has no record (it ran before investigations were recorded): "
                            "investigate again, then replay the new one")
    return name, Record.from_json(kept.record), Outcome.of(Diagnosis.model_validate(investigation.diagnosis))


def run(store: Store, ref: str, *, kinds: list[str], n: int, seed: int, knowledge: KnowledgeBase,
        settings: Settings, client: anthropic.Anthropic | None, requested_by: str, now: datetime,
        offline: bool = False, metrics: Metrics | None = None, clock: Clock | None = None,
        meter: SpendMeter | None = None) -> Replayed:
    """Replay and keep the replay. A Claude record replays with Claude unless `offline`; without a client,
    or with a budget cap spent (`meter`), it is refused rather than quietly answered by the offline
    investigator. A cap reached during the replay leaves its later runs to the offline investigator."""
    if not 1 <= n <= MAX_RUNS:
        raise ReplayRefused(f"--n must be between 1 and {MAX_RUNS} (runs per perturbation), not {n}")
    # run i uses seed + i: checked before any run, not when the finished replay is stored
    if not 0 <= seed <= MAX_SEED - (n - 1):
        raise ReplayRefused(f"--seed must be between 0 and {MAX_SEED - (n - 1)} with --n {n} (run i uses seed + i), "
                            f"not {seed}")
    investigation_id, record, original = find(store, ref)
    claude = investigator_for(investigation_id, record, client, offline)
    if claude is not None:
        within_budget(investigation_id, meter)
    clock = clock or SystemClock()  # the deadline is on the clock that reads now, whatever `now` says
    result = replay(record, original, kinds, n, seed, knowledge, settings, claude,
                    on_model_call=metrics.timings.model_call if metrics else None, clock=clock,
                    until=clock.now() + timedelta(seconds=settings.replay_deadline_sec), meter=meter)
    spent = result.usage
    if metrics is not None:  # a Claude replay's runs are investigations' worth of tokens: counted like them
        metrics.spent(spent)
    replay_id = store.replays.keep_replay(
        investigation_id, requested_by=requested_by, now=now, perturbations=kinds, runs_per_kind=n, seed=seed,
        investigator=result.investigator, original=_outcome(original), stability=result.stability,
        runs=[{"run": r.number, "perturbation": r.perturbation, "seed": r.seed, "request": r.request,
               "engine": r.engine, "category": r.outcome.category if r.outcome else None,
               "gated": list(r.outcome.gated) if r.outcome else [],
               "confidence": r.outcome.confidence if r.outcome else None, "stable": r.stable,
               "divergence": r.divergence} for r in result.runs], tokens=spent.total, cost_usd=spent.cost_usd)
    return Replayed(investigation_id, replay_id, record, result, kinds, n, seed)


def investigator_for(investigation_id: str, record: Record, client: anthropic.Anthropic | None,
                     offline: bool = False) -> anthropic.Anthropic | None:
    """The Claude client a record replays with (None: the offline investigator). A Claude record without a
    client is refused rather than quietly answered by the offline investigator."""
    if record.engine != "claude" or offline:
        return None
    if client is None:
        raise ReplayRefused(f"investigation {investigation_id} was Claude's (model {record.model}); set "
                            "ANTHROPIC_API_KEY to replay it with Claude, or pass --offline to replay its record with "
                            "the offline investigator")
    return client


def within_budget(investigation_id: str, meter: SpendMeter | None) -> None:
    """A Claude replay is many calls: refused outright when a cap is already spent."""
    if meter is not None and (spent := meter.over_budget()):
        raise ReplayRefused(f"{spent}; a replay with Claude waits until then, or replay the record with the offline "
                            f"investigator now: `agentops replay {investigation_id} --offline`")


def _outcome(outcome: Outcome) -> dict:
    return {"category": outcome.category, "gated": list(outcome.gated), "confidence": outcome.confidence}


def summary(done: Replayed) -> dict:
    """The replay as JSON: what the CLI prints with --json and what the thread's message is built from."""
    low, median, high = done.result.confidence_spread()
    return {"investigation_id": done.investigation_id, "replay_id": done.replay_id,
            "component": done.record.component, "investigator": done.result.investigator,
            "engine": "claude" if done.result.investigator.startswith("Claude") else "offline",
            "model": done.record.model, "endpoint": done.record.endpoint,
            "original": _outcome(done.result.original), "perturbations": done.kinds, "runs_per_kind": done.n,
            "seed": done.seed, "runs": len(done.result.runs), "planned_runs": done.result.planned,
            "stopped_early": done.result.stopped_early, "stability": done.result.stability,
            "stability_by_perturbation": done.result.by_kind(),
            "confidence": {"min": low, "median": median, "max": high},
            "tokens": done.result.usage.total, "cost_usd": round(done.result.usage.cost_usd, 6),
            "diverged": [{"run": r.number, "perturbation": r.perturbation, "seed": r.seed, "request": r.request,
                          "how": r.divergence} for r in done.result.diverged]}


def stopped_early(summary: dict) -> str:
    return (f"Stopped early: REPLAY_DEADLINE_SEC ran out after {summary['runs']} of {summary['planned_runs']} runs; "
            "the figures are over those runs")


def lines(done: Replayed) -> list[str]:
    """The replay in plain words, for the terminal."""
    data = summary(done)
    low, high = data["confidence"]["min"], data["confidence"]["max"]
    out = [f"Replay {done.replay_id} of investigation {done.investigation_id} ({done.record.component}), from its "
           f"record: {data['investigator']}",
           f"Original: {done.result.original.shown()}, confidence {done.result.original.confidence:.0%}",
           f"Stability: {done.result.stability:.0%} of {len(done.result.runs)} runs reach the original category and "
           f"gated actions (seed {done.seed}, {done.n} per perturbation)"]
    if done.result.stopped_early:
        out.append(stopped_early(data))
    out += [f"  {kind:8s} {share:.0%}" for kind, share in data["stability_by_perturbation"].items()]
    out.append(f"Confidence: {low:.0%}–{high:.0%} (median {data['confidence']['median']:.0%})")
    if data["tokens"]:
        out.append(f"Spent: {data['tokens']:,} tokens, {usd(data['cost_usd'])}")
    if done.result.diverged:
        out.append("Diverged:")
        out += [f"  run {r.number} ({r.perturbation}, seed {r.seed}): {r.divergence}" for r in done.result.diverged]
    else:
        out.append("No run diverged.")
    return out
