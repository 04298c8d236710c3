"""One turn's tool calls: run concurrently on a bounded pool, within the turn's caps, each output
within its token budget, every call recorded as a Step.

Caps per turn: how many calls run, how large a call's arguments may be, how many bytes of results
go back; a call identical to an earlier one of the investigation is refused (its result is above).
Token counts are estimated as characters / 4 — close enough for English and numbers, and free.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from agents.investigation import Step
from agents.tools import ToolContext
from agents.tools.registry import Tool, call


def estimated_tokens(text: str) -> int:
    return -(-len(text) // 4)


def within_tokens(text: str, budget: int) -> str:
    """`text`, cut to about `budget` tokens with a note saying so (the model should narrow its query)."""
    tokens = estimated_tokens(text)
    if tokens <= budget:
        return text
    return (text[: budget * 4] + f" …[trimmed to ≈{budget:,} of ≈{tokens:,} tokens (estimated as characters/4); "
            "ask for less, e.g. a shorter window or a lower limit]")


@dataclass(frozen=True)
class TurnLimits:
    max_calls: int
    max_input_bytes: int
    max_result_bytes: int
    output_tokens: int  # per tool output


@dataclass
class ToolRunner:
    ctx: ToolContext
    tools: dict[str, Tool]
    limits: TurnLimits
    pool: ThreadPoolExecutor
    seen: set[str] = field(default_factory=set)  # name + arguments of every call made so far

    def run(self, turn: int, uses: list[Any], timeout: float) -> tuple[list[dict], list[Step]]:
        """tool_result blocks in the order of `uses`, and their steps. Calls still running after
        `timeout` seconds come back as errors (the investigation's deadline has passed)."""
        refused: dict[int, str] = {}
        futures: dict[int, Future[tuple[str, bool, int]]] = {}
        for index, use in enumerate(uses):
            key = f"{use.name} {json.dumps(use.input, sort_keys=True, default=str)}"
            if index >= self.limits.max_calls:
                refused[index] = (f"not run: at most {self.limits.max_calls} tool calls a turn; "
                                  "ask again for the ones that matter most")
            elif len(key.encode()) > self.limits.max_input_bytes:
                refused[index] = f"not run: arguments over {self.limits.max_input_bytes:,} bytes"
            elif key in self.seen:
                refused[index] = (f"not run again: {use.name} was already called with these arguments; "
                                  "its result is above")
            else:
                self.seen.add(key)
                futures[index] = self.pool.submit(self._timed, use.name, use.input)
        wait(futures.values(), timeout=max(timeout, 0))
        blocks, steps, room = [], [], self.limits.max_result_bytes
        for index, use in enumerate(uses):
            future = futures.get(index)
            if future is None:
                content, is_error, duration_ms = refused[index], True, 0
            elif not future.done():
                future.cancel()
                content, is_error, duration_ms = "not finished before the investigation's deadline", True, 0
            else:
                content, is_error, duration_ms = future.result()
            content = within_tokens(content, self.limits.output_tokens)
            content, room = _within_turn(content, room, self.limits.max_result_bytes)
            blocks.append({"type": "tool_result", "tool_use_id": use.id, "content": content, "is_error": is_error})
            steps.append(Step("tool", turn, name=use.name, arguments=dict(use.input) if isinstance(use.input, dict)
                              else {"input": use.input}, output=content, is_error=is_error,
                              error=content if is_error else "", duration_ms=duration_ms))
        return blocks, steps

    def _timed(self, name: str, arguments: object) -> tuple[str, bool, int]:
        started = self.ctx.clock.now()
        content, is_error = call(self.ctx, name, arguments, self.tools)
        return content, is_error, round((self.ctx.clock.now() - started).total_seconds() * 1000)


def _within_turn(content: str, room: int, limit: int) -> tuple[str, int]:
    """Results past the turn's byte cap are cut, saying so."""
    size = len(content.encode())
    if size <= room:
        return content, room - size
    note = f" …[withheld: this turn's results reached {limit:,} bytes; make fewer calls a turn]"
    kept = content.encode()[: max(room, 0)].decode(errors="ignore")
    return kept + note, 0


def pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="agentops-tool")

