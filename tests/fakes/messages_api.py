"""A scripted Anthropic Messages API on loopback, for the real anthropic client.

Each response comes from a function of the request, so a test can answer "when the diagnosis
is forced, submit it". It records every request, and can first answer with an error status, a
garbled 200 (malformed JSON, an HTML page, an error body), or nothing at all (a hung API).
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.http_site import start_site

Responder = Callable[[dict, int], dict]  # (request body, call index) → message


def message(content: list[dict], stop_reason: str = "end_turn", input_tokens: int = 1200,
            cache_read: int = 0, cache_write: int = 0, output_tokens: int = 150) -> dict:
    return {"id": f"msg_{uuid.uuid4().hex[:12]}", "type": "message", "role": "assistant", "model": "scripted",
            "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                      "cache_read_input_tokens": cache_read, "cache_creation_input_tokens": cache_write}}


def tool_use(name: str, **arguments: Any) -> dict:
    return {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}", "name": name, "input": arguments}


def text(value: str) -> dict:
    return {"type": "text", "text": value}


class ScriptedMessagesAPI:
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.faults: deque[Callable[[], Awaitable[web.Response]]] = deque()
        self._released = asyncio.Event()  # set on exit, so hung requests end with the stand-in
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, status: int, retry_after_ms: int = 20, kind: str = "", headers: dict | None = None) -> None:
        kind = kind or {429: "rate_limit_error", 401: "authentication_error", 403: "permission_error",
                        400: "invalid_request_error"}.get(status, "overloaded_error")
        body = {"type": "error", "error": {"type": kind, "message": f"{kind} (scripted)"}}
        sent = {"retry-after-ms": str(retry_after_ms)} if headers is None else headers

        async def fault() -> web.Response:
            return web.json_response(body, status=status, headers=sent)
        self.faults.append(fault)

    def answer_raw_next(self, body: str, content_type: str = "application/json", status: int = 200) -> None:
        """A response the API should never send, as a proxy or a broken deploy might."""
        async def fault() -> web.Response:
            return web.Response(text=body, status=status, content_type=content_type)
        self.faults.append(fault)

    def hang_next(self, times: int = 1) -> None:
        """Accept the request and never answer (until the stand-in stops)."""
        async def fault() -> web.Response:
            await self._released.wait()
            return web.json_response({}, status=503)
        self.faults.extend([fault] * times)

    def __enter__(self) -> ScriptedMessagesAPI:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._released.set)
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)  # type: ignore[union-attr]
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        self._runner, self.port = await start_site(app, "127.0.0.1", 0)

    async def _messages(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.headers.append(dict(request.headers))
        if self.faults:
            return await self.faults.popleft()()
        self.requests.append(body)
        return web.json_response(self.responder(body, len(self.requests) - 1))


# A diagnosis a careful model would give for the drift scenario, in submit_diagnosis's strict shape
# (no requires_approval: the code decides that).
FINAL = {
    "root_cause": "V14 and V17 shifted (PSI 0.80, 0.60); drift 0.45 with F1 0.82", "confidence": 0.8,
    "root_cause_category": "distribution_shift", "evidence": ["V14 PSI 0.80", "V17 PSI 0.60", "F1 0.818"],
    "recommended_actions": [
        {"action": "rollback_model", "priority": 1, "condition": "", "target": "classifier_v2"},
        {"action": "retrain_model", "priority": 2, "condition": "after rollback", "target": "classifier_v2"}],
    "runbook_reference": "runbooks/model_drift.md", "similar_incidents": ["INC-2026-0115"]}
# A careful investigator's tool calls on the drift scenario, one list per turn.
STEPS = [[tool_use("search_runbooks", question="drift above 0.3 with F1 dropping")],
         [tool_use("query_model_metrics", model_name="classifier_v2", hours=24),
          tool_use("query_feature_drift", model_name="classifier_v2")],
         [tool_use("search_incidents", question="V14 V17 drift")]]


def submit(diagnosis: dict | None = None, **changes: Any) -> dict:
    """The final answer as a model gives it: a submit_diagnosis tool call."""
    return tool_use("submit_diagnosis", **{**(diagnosis or FINAL), **changes})


def forced(body: dict) -> bool:
    return body.get("tool_choice", {}).get("type") == "tool"


def final_when_forced(then: list) -> Responder:
    """Each turn of `then`, then the diagnosis; the diagnosis at once when the request forces it."""
    def respond(body: dict, index: int) -> dict:
        # the first call writes the system+tools prefix to the cache; later calls read it
        cache = {"cache_read": 900 if index else 0, "cache_write": 0 if index else 900}
        if forced(body) or index >= len(then):
            return message([submit()], stop_reason="tool_use", **cache)
        return message(then[index], stop_reason="tool_use", **cache)
    return respond


def each_conversation(then: list) -> Responder:
    """Like final_when_forced, counting turns within each conversation (from the messages it carries), so
    every investigation against the stand-in, one after another, is answered the same way."""
    def respond(body: dict, index: int) -> dict:
        turn = len(body["messages"]) // 2  # user; user, assistant, user; …
        if forced(body) or turn >= len(then):
            return message([submit()], stop_reason="tool_use")
        return message(then[turn], stop_reason="tool_use")
    return respond
