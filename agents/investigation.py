"""What an investigation returns, whoever ran it: the diagnosis, the engine, what it spent (tokens and
dollars) and its steps — every model call and tool call, for the record in the state store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from agents.diagnosis import Diagnosis


@dataclass
class Usage:
    calls: int = 0
    input_tokens: int = 0  # uncached input
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    # calls that neither wrote nor read the cache although the prefix was long enough to be cached
    cache_misses: int = 0

    def add(self, step: Step) -> None:
        self.calls += 1
        self.input_tokens += step.input_tokens
        self.cache_read_tokens += step.cache_read_tokens
        self.cache_write_tokens += step.cache_write_tokens
        self.output_tokens += step.output_tokens
        self.cost_usd += step.cost_usd

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens + self.output_tokens


@dataclass
class Step:
    """One model call (kind 'model') or one tool call (kind 'tool') of an investigation."""

    kind: str  # model | tool
    turn: int  # the model call it belongs to (a tool call: the call that asked for it), from 1
    name: str = ""  # the tool; for a model call, the model id
    arguments: dict[str, Any] | None = None
    output: str = ""  # a tool's result as the model saw it (after trimming)
    is_error: bool = False
    error: str = ""  # why a model call failed, or a tool result's error
    duration_ms: int = 0
    stop_reason: str = ""
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class InvestigationResult:
    diagnosis: Diagnosis
    engine: str  # claude | offline
    usage: Usage = field(default_factory=Usage)
    note: str = ""  # why the offline investigator answered instead, or what was dropped; shown in the thread
    steps: list[Step] = field(default_factory=list)
    # why Claude did not answer, when it did not: configuration (400/401/403/404: people must fix it),
    # unreachable, invalid_response, refusal, cut_off, budget, deadline, steps, internal
    problem: str = ""


class Budget(Protocol):
    """The shared budget as a single model call outside an investigation's loop sees it (an answer, a
    post-mortem draft): asked before the call ("" = go ahead, else why not), charged the response's usage."""

    def over_budget(self) -> str: ...

    def charge(self, model: str, usage: Any) -> None: ...
