"""The Claude tool-use loop: read-only tools, a step cap whose last call has tools switched off,
a token budget, one repair turn for malformed output, and the offline investigator as fallback.
agents/investigator.py decides when it runs.

The system prompt and the tool list are the same bytes on every call and end in cache_control,
so after the first call they are read from the prompt cache.
"""

from __future__ import annotations

import json
import logging
import re
from typing import cast

import anthropic
from anthropic.types import (
    AssistantMessageParam,
    MessageParam,
    TextBlockParam,
    ToolParam,
    ToolResultBlockParam,
    UserMessageParam,
)
from pydantic import ValidationError

from agents.diagnosis import GATED_ACTIONS, Diagnosis
from agents.investigation import InvestigationResult, Usage
from agents.offline import offline
from agents.subject import Subject
from agents.tools import ToolContext
from agents.tools.registry import call, schemas

log = logging.getLogger("agentops.loop")
MAX_OUTPUT_TOKENS = 2_000
SYSTEM_PROMPT = """You are AgentOps, investigating an ML production alert for on-call engineers.
Use the tools, in this order: search the runbooks, then past incidents, then the metrics (model
metrics, per-feature drift for drift alerts, data quality of the pipelines, trends to see when it
started). Cite numbers the tools returned; never invent them. Bad data is never fixed by
retraining. Retrain and rollback are only proposals: a human approves them.

Finish with only a JSON object, no prose, with exactly these keys:
{"root_cause": str, "root_cause_category": one of distribution_shift, data_quality_issue,
bad_deployment, training_data_issue, legitimate_traffic_change, schema_change, resource_saturation,
unknown, "confidence": number 0..1, "evidence": [str], "recommended_actions": [{"action": one of
retrain_model, rollback_model, monitor, notify_team, create_github_issue, quarantine_batch,
rerun_pipeline, update_schema_config, adjust_threshold, scale_resources, escalate, "priority": int
1..10, "requires_approval": bool, "condition": str, "target": str}], "runbook_reference": str,
"similar_incidents": [str]}"""


class ClaudeInvestigator:
    def __init__(self, client: anthropic.Anthropic, model: str, max_steps: int, token_budget: int) -> None:
        self.client, self.model, self.max_steps, self.token_budget = client, model, max_steps, token_budget

    def investigate(self, ctx: ToolContext, subject: Subject, alert_id: str | None = None) -> InvestigationResult:
        usage = Usage()
        try:
            diagnosis, problem = self._loop(ctx, subject, usage)
        except anthropic.APIError as error:  # after the SDK's own retries
            diagnosis, problem = None, f"Claude was unreachable ({type(error).__name__})"
        if diagnosis is None:
            ctx.on_progress("falling back to the offline runbook investigator")
            fallback = offline(ctx, subject, alert_id, f"{problem}; this is the offline runbook investigator's "
                                                       "diagnosis")
            fallback.usage = usage  # what the failed attempt spent still counts
            return fallback
        return InvestigationResult(diagnosis.model_copy(update={"alert_id": alert_id}), "claude", usage)

    def _loop(self, ctx: ToolContext, subject: Subject, usage: Usage) -> tuple[Diagnosis | None, str]:
        tools = [cast(ToolParam, dict(t)) for t in schemas()]
        tools[-1]["cache_control"] = {"type": "ephemeral"}
        system: list[TextBlockParam] = [{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}]
        messages: list[MessageParam] = [{"role": "user", "content": (
            f"Investigate: {subject.text}\nComponent: {subject.component} ({subject.kind}).")}]
        repaired = False
        step = 0
        while step < self.max_steps + (1 if repaired else 0):
            last = step >= self.max_steps - 1
            ctx.on_progress("asking Claude" if step == 0 else f"asking Claude (step {step + 1})")
            response = self.client.messages.create(
                model=self.model, max_tokens=MAX_OUTPUT_TOKENS, system=system, tools=tools, messages=messages,
                # the last call must answer: tools stay in the (cached) prefix but cannot be used
                tool_choice={"type": "none"} if last else {"type": "auto"})
            usage.add(response.usage)
            step += 1
            if response.stop_reason == "refusal":
                return None, "Claude declined to answer"
            if usage.total > self.token_budget:
                return None, f"the investigation hit its token budget ({self.token_budget:,})"
            uses = [block for block in response.content if block.type == "tool_use"]
            if uses and not last:
                # the assistant turn goes back as received (the SDK serializes only the fields that were set)
                messages.append(AssistantMessageParam(role="assistant", content=response.content))
                results: list[ToolResultBlockParam] = []
                for use in uses:
                    content, is_error = call(ctx, use.name, dict(use.input))
                    results.append(ToolResultBlockParam(type="tool_result", tool_use_id=use.id, content=content,
                                                        is_error=is_error))
                messages.append(UserMessageParam(role="user", content=results))
                continue
            answer = "".join(block.text for block in response.content if block.type == "text")
            if response.stop_reason == "max_tokens":
                problem = "the answer was cut off at the output limit"
            else:
                diagnosis, problem = parse_diagnosis(answer)
                if diagnosis is not None:
                    return diagnosis, ""
            if repaired:
                return None, f"Claude's answer was not a valid diagnosis ({problem})"
            repaired = True
            messages += [AssistantMessageParam(role="assistant", content=answer or "(no text)"),
                         UserMessageParam(role="user", content=f"That is not a valid diagnosis: {problem}. "
                                                               "Reply with only the JSON object described in the "
                                                               "instructions.")]
        return None, "Claude did not finish within the step limit"


def parse_diagnosis(answer: str) -> tuple[Diagnosis | None, str]:
    """The JSON object in the answer, validated; gated actions always require approval."""
    match = re.search(r"\{.*\}", answer, re.S)
    if not match:
        return None, "no JSON object found"
    try:
        diagnosis = Diagnosis.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as error:
        return None, str(error).splitlines()[0][:200]
    # enforced in code, not trusted to the prompt
    actions = [a.model_copy(update={"requires_approval": a.requires_approval or a.action in GATED_ACTIONS})
               for a in diagnosis.recommended_actions]
    return diagnosis.model_copy(update={"recommended_actions": actions}), ""
