"""WebhookReceiver: what a team's incident tool would do with AgentOps' escalation webhook, on loopback.

It checks the HMAC-SHA256 signature over the exact body (401 when it does not match), keeps one
delivery per idempotency key (a retried delivery is acknowledged, not kept twice), and can be told to
fail the next requests (`fail(500, times=2)`) or to stall past the client's timeout (`stall()`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections import deque

from aiohttp import web

from seed.loopback import LoopbackServer


class WebhookReceiver(LoopbackServer):
    name = "webhook"

    def __init__(self, secret: str = "whsec-standin-0000", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.secret = secret
        self.deliveries: dict[str, dict] = {}  # idempotency key → body
        self.attempts = 0
        self.rejected: list[str] = []
        self._faults: deque[int | float] = deque()  # a status to answer, or seconds to stall (a float)
        self._lock = threading.Lock()

    @property
    def hook_url(self) -> str:
        return f"{self.url}/hooks/agentops"

    def fail(self, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([status] * times)

    def stall(self, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([float(seconds)] * times)

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hooks/agentops", self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        with self._lock:
            self.attempts += 1
            fault = self._faults.popleft() if self._faults else None
        if isinstance(fault, float):
            await asyncio.sleep(fault)
        elif fault is not None:
            return web.json_response({"error": "injected failure"}, status=fault)
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-AgentOps-Signature", ""), expected):
            with self._lock:
                self.rejected.append("bad signature")
            return web.json_response({"error": "bad signature"}, status=401)
        key = request.headers.get("Idempotency-Key", "")
        with self._lock:
            duplicate = key in self.deliveries
            if not duplicate:
                self.deliveries[key] = json.loads(body)
        return web.json_response({"ok": True, "duplicate": duplicate})
