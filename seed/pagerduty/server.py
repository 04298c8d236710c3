"""PagerDutyStandIn: the Events API v2 (`POST /v2/enqueue`) as PagerDuty answers it, on loopback.

A valid event gets 202 `{"status": "success", "message": "Event processed", "dedup_key": …}`; an invalid
one (unknown routing key, bad event_action, a trigger without summary/source/severity, a dedup_key over
255 or a summary over 1024 characters) gets 400 `{"status": "invalid event", "errors": [...]}`. Alerts
are kept by dedup_key with their state (triggered → acknowledged → resolved). `fail()` answers the next
requests with a status of your choosing (500, 429 …), for the channel's retry.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from seed.loopback import LoopbackServer

SEVERITIES = {"critical", "error", "warning", "info"}
ACTIONS = {"trigger", "acknowledge", "resolve"}


@dataclass
class PagerDutyAlert:
    dedup_key: str
    summary: str
    severity: str
    source: str
    state: str = "triggered"
    events: list[dict] = field(default_factory=list)


class PagerDutyStandIn(LoopbackServer):
    name = "pagerduty"

    def __init__(self, routing_key: str = "R0UTINGKEY0STANDIN0000000000000", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.routing_key = routing_key
        self.alerts: dict[str, PagerDutyAlert] = {}
        self.events: list[dict] = []  # every accepted event, in order
        self.refused: list[tuple[dict | None, list[str]]] = []
        self._faults: deque[int] = deque()
        self._lock = threading.Lock()

    @property
    def events_url(self) -> str:
        return f"{self.url}/v2/enqueue"

    def fail(self, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([status] * times)

    def actions(self) -> list[str]:
        with self._lock:
            return [e["event_action"] for e in self.events]

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v2/enqueue", self._enqueue)
        return app

    async def _enqueue(self, request: web.Request) -> web.Response:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        if fault is not None:
            return web.json_response({"status": "error", "message": "injected failure"}, status=fault)
        try:
            event = json.loads(await request.read())
        except ValueError:
            return self._invalid(None, ["Event object is invalid: not JSON"])
        errors = self._errors(event)
        if errors:
            return self._invalid(event if isinstance(event, dict) else None, errors)
        key = event.get("dedup_key") or uuid.uuid4().hex
        with self._lock:
            self.events.append(event)
            alert = self.alerts.get(key)
            if event["event_action"] == "trigger":
                payload = event["payload"]
                if alert is None or alert.state == "resolved":
                    alert = self.alerts[key] = PagerDutyAlert(key, payload["summary"], payload["severity"],
                                                              payload["source"])
            elif alert is not None and alert.state != "resolved":
                alert.state = "acknowledged" if event["event_action"] == "acknowledge" else "resolved"
            if alert is not None:
                alert.events.append(event)
        return web.json_response({"status": "success", "message": "Event processed", "dedup_key": key}, status=202)

    def _invalid(self, event: dict | None, errors: list[str]) -> web.Response:
        with self._lock:
            self.refused.append((event, errors))
        return web.json_response({"status": "invalid event", "message": "Event object is invalid",
                                  "errors": errors}, status=400)

    def _errors(self, event: object) -> list[str]:
        if not isinstance(event, dict):
            return ["Event object is invalid"]
        errors = []
        if event.get("routing_key") != self.routing_key:
            errors.append("'routing_key' is invalid")
        action = event.get("event_action")
        if action not in ACTIONS:
            errors.append("'event_action' is invalid (expected trigger, acknowledge or resolve)")
        key = event.get("dedup_key")
        if key is not None and (not isinstance(key, str) or len(key) > 255):
            errors.append("'dedup_key' must be a string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not key:
            errors.append("'dedup_key' is required to acknowledge or resolve")
        if action == "trigger":
            payload = event.get("payload")
            if not isinstance(payload, dict):
                return [*errors, "'payload' is missing"]
            summary = payload.get("summary")
            if not isinstance(summary, str) or not summary or len(summary) > 1024:
                errors.append("'payload.summary' must be 1 to 1024 characters")
            if not isinstance(payload.get("source"), str) or not payload.get("source"):
                errors.append("'payload.source' is missing")
            if payload.get("severity") not in SEVERITIES:
                errors.append("'payload.severity' must be critical, error, warning or info")
        return errors
