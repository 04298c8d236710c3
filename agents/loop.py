"""The Claude investigation: read-only tools run concurrently, the diagnosis through the strict
submit_diagnosis tool (forced on the last step), one deadline, a budget in dollars, every step
recorded — and whatever goes wrong, the offline investigator's answer with the reason.

Caching: one breakpoint ends the system prompt (after the tools, so both are cached), another moves
to the newest message each turn, so history is read from the cache instead of re-sent.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

import anthropic
from anthropic.types import Message

from agents import claude_api
from agents.claude_api import ClaudeFailed
from agents.diagnosis import SUBMIT, Diagnosis, accept, submit_tool
from agents.investigation import InvestigationResult, Step, Usage
from agents.offline import offline
from agents.prompt import SYSTEM_PROMPT, Briefing, first_message
from agents.subject import Subject, known_components
from agents.toolrun import ToolRunner, TurnLimits, estimated_tokens, pool
from agents.tools import ToolContext
from agents.tools.registry import Tool, schema, tools
from bot.config import Settings
from bot.warehouse import WarehouseError

log = logging.getLogger("agentops.loop")


class ClaudeInvestigator:
    def __init__(self, client: anthropic.Anthropic, settings: Settings, offered: dict[str, Tool] | None = None) -> None:
        self.client, self.settings = client, settings
        self.spec = settings.model_spec
        self.offered = tools() if offered is None else offered

    def investigate(self, ctx: ToolContext, subject: Subject, alert_id: str | None = None,
                    briefing: Briefing | None = None) -> InvestigationResult:
        run = _Run(self, ctx, subject, briefing or Briefing())
        try:
            diagnosis, notes = run.loop()
        except ClaudeFailed as failure:
            return self._offline(run, alert_id, failure)
        except Exception as error:  # a bug of ours must not leave the alert without a diagnosis either
            log.exception("the Claude investigation of %s failed", subject.component)
            return self._offline(run, alert_id, ClaudeFailed("internal", f"the Claude investigation failed "
                                                                         f"({type(error).__name__})"))
        finally:
            run.pool.shutdown(wait=False, cancel_futures=True)
        return InvestigationResult(diagnosis.model_copy(update={"alert_id": alert_id}), "claude", run.usage,
                                   note=_sentence("; ".join(notes)), steps=run.steps)

    @staticmethod
    def _offline(run: _Run, alert_id: str | None, failure: ClaudeFailed) -> InvestigationResult:
        run.ctx.on_progress("falling back to the offline runbook investigator")
        fallback = offline(run.ctx, run.subject, alert_id, f"{failure.note}; this is the offline runbook "
                                                           "investigator's diagnosis")
        # the record holds both: what Claude did before it failed, then the offline investigator's calls
        fallback.usage, fallback.steps, fallback.problem = run.usage, run.steps + fallback.steps, failure.kind
        return fallback


class _Run:
    """One investigation's state: the conversation, what it spent, its steps."""

    def __init__(self, owner: ClaudeInvestigator, ctx: ToolContext, subject: Subject, briefing: Briefing) -> None:
        self.owner, self.ctx, self.subject, self.settings = owner, ctx, subject, owner.settings
        self.deadline = ctx.clock.now() + timedelta(seconds=self.settings.agent_deadline_sec)
        self.usage, self.steps = Usage(), list[Step]()
        self.targets = _targets(ctx, subject)
        self.tools = [schema(t) for t in owner.offered.values()] + [submit_tool(self.targets)]
        self.system = [{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}]
        self.prefix_tokens = estimated_tokens(json.dumps(self.tools) + SYSTEM_PROMPT)
        if self.prefix_tokens < owner.spec.cache_min_tokens:  # the API would skip it silently
            log.info("the prompt prefix (≈%d tokens) is below %s's cache minimum (%d): it is cached only once "
                     "the conversation passes it", self.prefix_tokens, self.settings.anthropic_model,
                     owner.spec.cache_min_tokens)
        self.messages: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": first_message(
            subject, briefing, ctx.clock.now(), self.settings.agent_max_steps)}]}]
        s = self.settings
        self.pool = pool(s.agent_tool_threads)
        self.runner = ToolRunner(ctx, owner.offered, TurnLimits(s.agent_max_tool_calls_per_turn,
                                 s.agent_max_tool_input_bytes, s.agent_max_turn_result_bytes,
                                 s.agent_tool_output_tokens), self.pool)

    def loop(self) -> tuple[Diagnosis, list[str]]:
        repaired, turn, limit = False, 0, self.settings.agent_max_steps
        while turn < limit:
            turn += 1
            forced = turn >= limit or repaired
            self.ctx.on_progress("asking Claude" if turn == 1 else f"asking Claude (step {turn})")
            response = self._ask(turn, forced)
            if response.stop_reason == "refusal":  # its tool calls, if any, are not run
                raise ClaudeFailed("refusal", "Claude declined to investigate (refusal)")
            if response.stop_reason == "model_context_window_exceeded":
                raise ClaudeFailed("cut_off", "the investigation outgrew the model's context window")
            if response.stop_reason == "max_tokens":  # a cut-off turn's tool calls are incomplete: none run
                raise ClaudeFailed("cut_off", f"Claude's answer was cut off at the output limit "
                                              f"({self._max_tokens():,} tokens)")
            content = [block.model_dump(exclude_none=True) for block in response.content]  # as received
            uses = [block for block in response.content if block.type == "tool_use"]
            submitted = next((u for u in uses if u.name == SUBMIT), None)
            if submitted is not None:
                diagnosis, problem, notes = accept(submitted.input, self.subject.component, self.targets)
                self.steps.append(Step("tool", turn, name=SUBMIT, arguments=_dict(submitted.input),
                                       output=problem or "accepted", is_error=bool(problem), error=problem))
                if diagnosis is not None:  # kept, whatever it cost: the budget stops only further calls
                    return diagnosis, notes
                if repaired:
                    raise ClaudeFailed("invalid_response", f"Claude's diagnosis was invalid twice ({problem})")
                repaired, limit = True, max(limit, turn + 1)
                results = [{"type": "tool_result", "tool_use_id": u.id, "is_error": True,
                            "content": f"invalid diagnosis: {problem}; call {SUBMIT} again, corrected"
                            if u is submitted else "not run: the diagnosis was submitted in the same turn"}
                           for u in uses]
                self._extend(content, results)
                continue
            self._within_budget()
            if response.stop_reason == "pause_turn" and content:  # a paused long turn: sent back, it continues
                self.messages.append({"role": "assistant", "content": content})
                continue
            if uses:
                remaining = (self.deadline - self.ctx.clock.now()).total_seconds()
                results, steps = self.runner.run(turn, uses, remaining)
                self.steps += steps
                self._extend(content, results)
                continue
            if repaired:
                raise ClaudeFailed("invalid_response", "Claude answered without submitting a diagnosis")
            repaired, limit = True, max(limit, turn + 1)
            self._extend(content or [{"type": "text", "text": "(no text)"}],
                         [{"type": "text", "text": f"Submit the diagnosis now by calling {SUBMIT}."}])
        raise ClaudeFailed("steps", f"Claude did not submit a diagnosis within {limit} model calls")

    def _ask(self, turn: int, forced: bool) -> Message:
        s = self.settings
        params: dict[str, Any] = {
            "model": s.anthropic_model, "max_tokens": self._max_tokens(), "system": self.system,
            "tools": self.tools, "messages": _with_moving_breakpoint(self.messages),
            "tool_choice": {"type": "tool", "name": SUBMIT} if forced else {"type": "auto"}}
        if self.owner.spec.temperature:
            # the same evidence should give the same diagnosis; this SDK no longer lists temperature
            # (newer models reject it), so it goes in the body only for models that accept it
            params["extra_body"] = {"temperature": 0}
        started = self.ctx.clock.now()
        if started >= self.deadline:
            raise ClaudeFailed("deadline", f"the investigation reached its deadline ({s.agent_deadline_sec:g} s) "
                                           "before a diagnosis")
        if refused := self.ctx.over_budget():  # a running investigation finishes offline, saying why
            raise ClaudeFailed("budget", refused)
        step = Step("model", turn, name=s.anthropic_model)
        self.steps.append(step)
        timer = time.monotonic()
        try:
            response = claude_api.ask(self.owner.client, params, timeout=s.anthropic_timeout_sec,
                                      remaining=(self.deadline - started).total_seconds(),
                                      retry_after_cap=s.anthropic_max_retry_after_sec)
        except ClaudeFailed as failure:
            step.is_error, step.error = True, failure.note
            raise
        finally:
            self.ctx.on_model_call(time.monotonic() - timer, not step.is_error)
            step.duration_ms = round((self.ctx.clock.now() - started).total_seconds() * 1000)
        u = response.usage
        step.stop_reason = str(response.stop_reason)
        step.input_tokens, step.output_tokens = u.input_tokens, u.output_tokens
        step.cache_write_tokens = u.cache_creation_input_tokens or 0
        step.cache_read_tokens = u.cache_read_input_tokens or 0
        step.cost_usd = self.owner.spec.cost_usd(input_tokens=step.input_tokens, output_tokens=step.output_tokens,
                                                 cache_write_tokens=step.cache_write_tokens,
                                                 cache_read_tokens=step.cache_read_tokens)
        self.usage.add(step)
        self.ctx.on_spend(step)
        cacheable = self.prefix_tokens >= self.owner.spec.cache_min_tokens
        if cacheable and not (step.cache_write_tokens or step.cache_read_tokens):
            self.usage.cache_misses += 1
            log.warning("call %d of %s neither wrote nor read the prompt cache (prefix ≈%d tokens, minimum %d)",
                        turn, s.anthropic_model, self.prefix_tokens, self.owner.spec.cache_min_tokens)
        return response

    def _within_budget(self) -> None:
        budget = self.settings.agent_budget_usd
        if self.usage.cost_usd > budget:
            raise ClaudeFailed("budget", f"the investigation reached its budget (${self.usage.cost_usd:.3f} of "
                                         f"${budget:.2f}) before a diagnosis")

    def _extend(self, assistant: list[dict], user: list[dict]) -> None:
        self.messages += [{"role": "assistant", "content": assistant}, {"role": "user", "content": user}]

    def _max_tokens(self) -> int:
        return min(self.settings.agent_max_output_tokens, self.owner.spec.max_output_tokens)


def _with_moving_breakpoint(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages with a cache breakpoint on the newest block only (at most 4 are allowed)."""
    last = messages[-1]
    blocks = [dict(b) for b in last["content"]]
    blocks[-1]["cache_control"] = {"type": "ephemeral"}
    return [*messages[:-1], {"role": last["role"], "content": blocks}]


def _targets(ctx: ToolContext, subject: Subject) -> list[str]:
    """What a proposal may act on: the subject, and the pipelines the warehouse knows (bad data upstream
    is fixed there). Never another model."""
    try:
        known = known_components(ctx.warehouse)
    except WarehouseError:
        known = {}
    pipelines = sorted(n for n, kind in known.items() if kind == "pipeline" and n != subject.component)
    return [subject.component, *pipelines]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"input": value}
