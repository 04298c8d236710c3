"""Read-only investigation tools. One file per tool family; each tool is a function taking a
ToolContext first and marked `@investigation_tool`; its schema comes from its type hints and
docstring, and the registry finds it in this folder (adding a tool is one file).

A tool result carries a status: ok, no_data or error. Risky actions are never tools that act:
Claude proposes them in its diagnosis (agents/diagnosis.py's submit_diagnosis), and a human approves.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from agents.investigation import Step
from agents.knowledge import KnowledgeBase
from bot.clock import Clock
from bot.ml_service import MLService
from bot.rules import RuleSet
from bot.warehouse import Warehouse

ToolFunction = TypeVar("ToolFunction", bound=Callable[..., "ToolResult"])
MAX_SUMMARY = 4000  # characters a tool may hand the model
_TRUNCATED = " …(truncated)"


@dataclass(frozen=True)
class ToolResult:
    status: Literal["ok", "no_data", "error"]
    summary: str  # compact text for the model and the evidence
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.summary) > MAX_SUMMARY:
            object.__setattr__(self, "summary", self.summary[: MAX_SUMMARY - len(_TRUNCATED)] + _TRUNCATED)


@dataclass
class ToolContext:
    warehouse: Warehouse
    knowledge: KnowledgeBase
    clock: Clock
    proposals: list[dict] = field(default_factory=list)
    ml_service: MLService | None = None
    # told what each tool is doing ("querying feature drift…"): the Slack progress message
    on_progress: Callable[[str], None] = lambda _step: None
    # the thresholds the monitor alerts on (AGENTOPS_RULES_FILE), so tools and the offline investigator
    # judge a component by the same rules; the defaults when the caller has no rules file
    rules: RuleSet = field(default_factory=RuleSet)
    # told each Messages API call's seconds and whether it answered (the bot's Metrics, from its Deps)
    on_model_call: Callable[[float, bool], None] = lambda _seconds, _ok: None
    # the tool calls made outside the Claude loop (the offline investigator's), in call order: the
    # investigation's record for the thread's audit trail, export and replay (the loop records its own)
    calls: list[Step] = field(default_factory=list)
    # the shared budget (bot/budgets/meter.py): asked before each model call ("" = go ahead, else why not),
    # and told each call's spend as it happens
    over_budget: Callable[[], str] = lambda: ""
    on_spend: Callable[[Step], None] = lambda _step: None

    def use(self, tool: Callable[..., ToolResult], *args: Any, **kwargs: Any) -> ToolResult:
        """`tool(self, *args, **kwargs)`, recorded with its arguments by name, as the model would pass them."""
        arguments = inspect.signature(tool).bind(self, *args, **kwargs).arguments
        return self.record(tool.__name__, {k: v for k, v in arguments.items() if k != "ctx"},
                           lambda: tool(self, *args, **kwargs))

    def record(self, name: str, arguments: dict[str, Any], run: Callable[[], ToolResult]) -> ToolResult:
        """Run one call and append it to `calls` as a Step (turn 0: no model asked for it), timed on the
        injected clock; a call that raises is recorded as an error, and the error goes on."""
        started = self.clock.now()

        def took() -> int:
            return round((self.clock.now() - started).total_seconds() * 1000)
        try:
            result = run()
        except Exception as error:
            why = f"{name} failed: {type(error).__name__}: {error}"
            self.calls.append(Step("tool", 0, name=name, arguments=arguments, output=why, is_error=True, error=why,
                                   duration_ms=took()))
            raise
        failed = result.status == "error"
        self.calls.append(Step("tool", 0, name=name, arguments=arguments, output=result.summary, is_error=failed,
                               error=result.summary if failed else "", duration_ms=took()))
        return result


# "module.function" of every marked tool; the registry imports the modules of this folder and keeps these
MARKED: set[str] = set()


def investigation_tool(fn: ToolFunction) -> ToolFunction:
    """Offers `fn` to the model; the registry collects every function so marked in this folder."""
    MARKED.add(f"{fn.__module__}.{fn.__name__}")
    return fn
