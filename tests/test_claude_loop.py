"""The Claude loop with the real anthropic client against a scripted Messages API on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime

import anthropic
import pytest

from agents.knowledge import KnowledgeBase
from agents.loop import ClaudeInvestigator, parse_diagnosis
from agents.subject import Subject
from agents.tools import ToolContext
from bot.clock import ManualClock
from bot.warehouse import Warehouse
from tests.fakes.messages_api import FINAL, STEPS, ScriptedMessagesAPI, final_when_tools_off, message, text, tool_use
from tests.helpers.slack_bot import free_port

DRIFT = Subject("classifier_v2", "model", "F1 dropped to 0.82 on classifier_v2")

@pytest.fixture
def ctx(seeded_warehouse: Callable[..., Warehouse], now: datetime) -> Iterator[ToolContext]:
    yield ToolContext(seeded_warehouse("drift"), KnowledgeBase(), ManualClock(now))


def investigator(base_url: str, max_steps: int = 8, retries: int = 3, budget: int = 60_000) -> ClaudeInvestigator:
    client = anthropic.Anthropic(api_key="sk-ant-test", base_url=base_url, max_retries=retries, timeout=5)
    return ClaudeInvestigator(client, "claude-sonnet-4-6", max_steps, budget)


def test_a_multi_step_investigation_ends_in_a_valid_diagnosis(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(final_when_tools_off(STEPS)) as api:
        outcome = investigator(api.base_url).investigate(ctx, DRIFT, alert_id="a1")
    assert outcome.engine == "claude" and outcome.diagnosis.alert_id == "a1"
    assert outcome.diagnosis.root_cause_category == "distribution_shift"
    assert outcome.usage.calls == 4 == len(api.requests)
    first = api.requests[0]
    assert first["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert all(r["tools"] == first["tools"] and r["system"] == first["system"] for r in api.requests)
    results = [c for r in api.requests for m in r["messages"] if m["role"] == "user" and isinstance(m["content"], list)
               for c in m["content"] if c.get("type") == "tool_result"]
    assert any("⚠ V14 PSI 0.80" in r["content"] for r in results)  # real warehouse data went to the model
    assert any("runbooks/model_drift.md" in r["content"] for r in results)
    assert outcome.usage.cache_read_tokens == 2700 and outcome.usage.output_tokens == 600


def test_the_step_cap_forces_an_answer_without_tools(ctx: ToolContext) -> None:
    endless = [[tool_use("query_feature_drift", model_name="classifier_v2")]] * 50
    with ScriptedMessagesAPI(final_when_tools_off(endless)) as api:
        outcome = investigator(api.base_url, max_steps=3).investigate(ctx, DRIFT)
    assert outcome.engine == "claude" and len(api.requests) == 3
    assert [r["tool_choice"]["type"] for r in api.requests] == ["auto", "auto", "none"]


def test_429_and_529_are_retried_by_the_sdk(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(final_when_tools_off([])) as api:
        api.fail_next(429)
        api.fail_next(529)
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "claude"
    assert len(api.headers) == 3 and len(api.requests) == 1
    assert all(h["Authorization"] == "Bearer sk-ant-test" or h.get("X-Api-Key") == "sk-ant-test"
               for h in api.headers)


def test_an_unreachable_model_falls_back_to_the_offline_investigator(ctx: ToolContext) -> None:
    outcome = investigator(f"http://127.0.0.1:{free_port()}", retries=1).investigate(ctx, DRIFT)
    assert outcome.engine == "offline" and outcome.note.startswith("Claude was unreachable (APIConnectionError)")
    assert outcome.diagnosis.root_cause_category == "distribution_shift"  # the runbook answer, not nothing


def test_malformed_output_gets_one_repair_turn(ctx: ToolContext) -> None:
    answers = iter(["Here is my analysis: drift!", json.dumps(FINAL)])
    with ScriptedMessagesAPI(lambda body, i: message([text(next(answers))])) as api:
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "claude" and len(api.requests) == 2
    assert "not a valid diagnosis: no JSON object found" in api.requests[1]["messages"][-1]["content"]


def test_malformed_output_twice_falls_back(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(lambda body, i: message([text('{"root_cause": "drift"}')])) as api:
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "offline" and len(api.requests) == 2
    assert outcome.note.startswith("Claude's answer was not a valid diagnosis")


def test_a_refusal_runs_no_tools_and_falls_back(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(lambda body, i: message([tool_use("propose_action", action="rollback_model",
                                                               target="x", reason="y")],
                                                     stop_reason="refusal")) as api:
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "offline" and ctx.proposals == [] and len(api.requests) == 1


def test_the_token_budget_stops_the_loop(ctx: ToolContext) -> None:
    endless = [[tool_use("query_feature_drift", model_name="classifier_v2")]] * 50
    with ScriptedMessagesAPI(final_when_tools_off(endless)) as api:
        outcome = investigator(api.base_url, budget=3_000).investigate(ctx, DRIFT)
    # each call here is 1,200 input + 900 cached + 150 output: the second one crosses 3,000
    assert outcome.engine == "offline" and "token budget (3,000)" in outcome.note and len(api.requests) == 2


def test_gated_actions_always_need_approval_whatever_the_model_says() -> None:
    diagnosis, problem = parse_diagnosis(json.dumps(FINAL))
    assert problem == "" and [a.requires_approval for a in diagnosis.recommended_actions] == [True, True]


def test_tool_failures_are_data_for_the_model(ctx: ToolContext) -> None:
    calls = [[tool_use("drop_tables"), tool_use("query_metric_trend", component="classifier_v2", metric="nope"),
              tool_use("query_feature_drift")]]
    with ScriptedMessagesAPI(final_when_tools_off(calls)) as api:
        investigator(api.base_url).investigate(ctx, DRIFT)
    results = [c for m in api.requests[1]["messages"] if isinstance(m["content"], list) for c in m["content"]
               if c.get("type") == "tool_result"]
    assert [r["is_error"] for r in results] == [True, True, True]
    assert results[0]["content"].startswith("unknown tool 'drop_tables'")
    # arguments are validated against the schema the model was given (the SDK's beta_tool, pydantic)
    assert results[2]["content"] == "bad arguments for query_feature_drift: model_name: Missing required argument"


def test_claude_composes_answers_from_the_passages_only() -> None:
    from agents.answer import answer

    composed = "Roll back, then retrain [runbooks/model_drift.md › Decision tree]."
    with ScriptedMessagesAPI(lambda body, i: message([text(composed)])) as api:
        client = anthropic.Anthropic(api_key="sk-ant-test", base_url=api.base_url, max_retries=0)
        body, passages = answer(KnowledgeBase(), "What should I do when model drift is detected?", client, "m")
    assert body == composed and passages[0].source == "runbooks/model_drift.md"
    sent = api.requests[0]["messages"][0]["content"]
    assert f"[{passages[0].citation}]" in sent and "ONLY the passages" in api.requests[0]["system"]


def test_answers_fall_back_to_quotes_when_claude_is_unreachable() -> None:
    from agents.answer import answer

    client = anthropic.Anthropic(api_key="sk-ant-test", base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    body, passages = answer(KnowledgeBase(), "Has V14 drift happened before?", client, "m")
    assert body.startswith("From *incidents/inc_2026_0115_v14_drift.md ›") and passages
