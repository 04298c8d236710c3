"""What an investigation returns, whoever ran it: the diagnosis, the engine, the tokens it spent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents.diagnosis import Diagnosis

if TYPE_CHECKING:
    import anthropic


@dataclass
class Usage:
    calls: int = 0
    input_tokens: int = 0  # uncached input
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0

    def add(self, usage: anthropic.types.Usage) -> None:
        self.calls += 1
        self.input_tokens += usage.input_tokens
        self.cache_read_tokens += usage.cache_read_input_tokens or 0
        self.cache_write_tokens += usage.cache_creation_input_tokens or 0
        self.output_tokens += usage.output_tokens

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens + self.output_tokens


@dataclass
class InvestigationResult:
    diagnosis: Diagnosis
    engine: str  # claude | offline
    usage: Usage = field(default_factory=Usage)
    note: str = ""  # why the offline investigator answered instead, shown in the thread
