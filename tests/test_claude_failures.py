"""Whatever goes wrong with Claude's API — a hang, a garbled 200, a rejected key, a long retry-after —
the investigation ends within its deadline in the offline diagnosis, with a note that says why."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from agents.knowledge import KnowledgeBase
from agents.subject import Subject
from agents.tools import ToolContext
from bot.warehouse import Warehouse
from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced
from tests.helpers.claude import RunningClock, investigator
from tests.helpers.slack_bot import free_port

DRIFT = Subject("classifier_v2", "model", "F1 dropped to 0.82 on classifier_v2")


@pytest.fixture
def ctx(seeded_warehouse: Callable[..., Warehouse], now: datetime) -> Iterator[ToolContext]:
    # these tests time real sockets, so the deadline runs on a clock that moves with real time
    yield ToolContext(seeded_warehouse("drift"), KnowledgeBase(), RunningClock(now))


def test_a_hanging_api_ends_in_the_offline_answer_within_the_deadline(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.hang_next(times=10)
        started = time.monotonic()
        outcome = investigator(api.base_url, agent_deadline_sec=1.5, anthropic_timeout_sec=0.4,
                               anthropic_max_retries=2, anthropic_max_retry_after_sec=0.1).investigate(ctx, DRIFT)
        elapsed = time.monotonic() - started
    assert outcome.engine == "offline" and outcome.problem == "unreachable"
    assert outcome.note.startswith("Claude did not answer in time (APITimeoutError); this is the offline")
    assert outcome.diagnosis.root_cause_category == "distribution_shift"
    assert elapsed < 1.5 + 1.0  # the deadline, plus the offline investigator's own queries
    assert 1 <= len(api.headers) <= 3  # retries that fit in the deadline, no more


def test_a_long_retry_after_is_capped(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.fail_next(429, headers={"retry-after": "20"})
        started = time.monotonic()
        outcome = investigator(api.base_url, anthropic_max_retry_after_sec=0.2).investigate(ctx, DRIFT)
    assert outcome.engine == "claude" and time.monotonic() - started < 5  # not 20 s
    assert len(api.headers) == 2


def test_429_and_529_are_retried_by_the_sdk(ctx: ToolContext) -> None:
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.fail_next(429)
        api.fail_next(529)
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "claude" and len(api.headers) == 3 and len(api.requests) == 1
    assert all(h.get("Authorization") == "Bearer sk-ant-test" or h.get("X-Api-Key") == "sk-ant-test"
               for h in api.headers)


@pytest.mark.parametrize("body, content_type", [
    ('{"id": "msg_1", "type": "mess', "application/json"),  # cut off mid-body
    ("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),  # a proxy's page
    (json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
     "application/json"),  # an error body with status 200
    ("", "application/json"),
])
def test_a_garbled_200_ends_in_the_offline_answer(ctx: ToolContext, body: str, content_type: str) -> None:
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.answer_raw_next(body, content_type)
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "offline" and outcome.problem == "invalid_response"
    assert outcome.note.startswith("Claude's API answered with something")
    assert outcome.steps[0].kind == "model" and outcome.steps[0].is_error


@pytest.mark.parametrize("status, says", [(401, "rejected the credentials (401: authentication_error (scripted))"),
                                          (403, "rejected the credentials (403"),
                                          (400, "rejected the request (400")])
def test_a_rejected_key_or_request_is_a_configuration_problem(ctx: ToolContext, status: int, says: str) -> None:
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.fail_next(status)
        outcome = investigator(api.base_url).investigate(ctx, DRIFT)
    assert outcome.engine == "offline" and outcome.problem == "configuration"
    assert says in outcome.note and "a configuration problem" in outcome.note and "unreachable" not in outcome.note
    assert len(api.headers) == 1  # not retried: it will not get better by itself


def test_an_unreachable_model_falls_back_to_the_offline_investigator(ctx: ToolContext) -> None:
    outcome = investigator(f"http://127.0.0.1:{free_port()}", anthropic_max_retries=0).investigate(ctx, DRIFT)
    assert outcome.engine == "offline" and outcome.note.startswith("Claude was unreachable (APIConnectionError)")
    assert outcome.diagnosis.root_cause_category == "distribution_shift"  # the runbook answer, not nothing
