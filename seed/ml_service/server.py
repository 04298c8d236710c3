"""DemoMLService: SPEC §4's ML serving API on loopback, with real state, in a thread of its own.

Rollback swaps blue/green slots; a training run takes a few seconds, is evaluated against the
gate and promoted (or not), and the promoted model's first measurement lands in the warehouse.
Tests and `agentops demo` read its call log and can make it fail: the next N requests to a path
answer a 5xx, every request to a path for a window of seconds does, or the next N hang.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.warehouse import Warehouse, WarehouseError
from seed.loopback import LoopbackServer
from seed.ml_service.measurements import write_promoted
from seed.ml_service.models import ModelRegistry, ServiceError, TrainingRun, demo_registry


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict


class DemoMLService(LoopbackServer):
    name = "demo-ml-service"

    def __init__(self, *, clock: Clock | None = None, warehouse: Warehouse | None = None,
                 training_sec: float = 3.0, training_f1: float = 0.915, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        super().__init__(host, port)
        self.clock = clock or SystemClock()
        self.warehouse = warehouse
        self.training_sec = training_sec
        self.training_f1 = training_f1  # what the next training runs score on the holdout set
        self.registry: ModelRegistry = demo_registry(self.clock.now())
        self.requests: list[Request] = []
        self.started_at = time.monotonic()
        self._faults: dict[str, deque[tuple[int, bool]]] = defaultdict(deque)
        self._windows: dict[str, tuple[float, int]] = {}  # path → (monotonic end, status) of an outage window
        self._hangs: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    # faults and inspection -----------------------------------------------------------------------
    def fail(self, path: str, status: int = 503, times: int = 1, *, after_acting: bool = False) -> None:
        """The next `times` requests to `path` answer `status`; with after_acting, the service acts first
        (the lost-answer case a client must not repeat)."""
        with self._lock:
            self._faults[path].extend([(status, after_acting)] * times)

    def unavailable(self, path: str, seconds: float, status: int = 503) -> None:
        """Every request to `path` answers `status` for the next `seconds` (a restart, an overloaded pod)."""
        with self._lock:
            self._windows[path] = (time.monotonic() + seconds, status)

    def hang(self, path: str, seconds: float, times: int = 1) -> None:
        """The next `times` requests to `path` get no answer for `seconds` (then the normal one, if the
        client still waits)."""
        with self._lock:
            self._hangs[path].extend([seconds] * times)

    def calls(self, method: str, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    # HTTP ------------------------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._record_and_fail])
        routes = [("GET", "/health", self._health), ("GET", "/ready", self._ready),
                  ("GET", "/model/info", self._info), ("POST", "/model/reload", self._reload),
                  ("POST", "/model/rollback", self._rollback), ("POST", "/predict", self._predict),
                  ("POST", "/predict/batch", self._predict_batch), ("POST", "/training/trigger", self._trigger),
                  ("GET", "/training/status", self._training_status), ("GET", "/metrics", self._metrics)]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        return app

    @web.middleware
    async def _record_and_fail(self, request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
        body = await request.json() if request.can_read_body else {}
        with self._lock:
            self.requests.append(Request(request.method, request.path, body if isinstance(body, dict) else {}))
            fault = self._faults[request.path].popleft() if self._faults[request.path] else None
            window = self._windows.get(request.path)
            hang = self._hangs[request.path].popleft() if self._hangs[request.path] else 0.0
        if hang:
            await asyncio.sleep(hang)
        if window and time.monotonic() < window[0]:
            return web.json_response({"error": f"injected outage ({window[1]})"}, status=window[1])
        if fault and not fault[1]:
            return web.json_response({"error": f"injected failure ({fault[0]})"}, status=fault[0])
        try:
            response = await handler(request)
        except ServiceError as error:
            return web.json_response({"error": str(error)}, status=error.status)
        if fault:
            return web.json_response({"error": f"injected failure after acting ({fault[0]})"}, status=fault[0])
        return response

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "uptime_sec": round(time.monotonic() - self.started_at, 1)})

    async def _ready(self, request: web.Request) -> web.Response:
        return web.json_response({"ready": True, "models_loaded": len(self.registry.models)})

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response(self.registry.info(request.query.get("model_type")))

    async def _reload(self, request: web.Request) -> web.Response:
        model = self.registry.swap(await _model_type(request), self.clock.now(), why="reload")
        return web.json_response({"status": "reloaded", **model.describe()})

    async def _rollback(self, request: web.Request) -> web.Response:
        model = self.registry.swap(await _model_type(request), self.clock.now(), why="roll back")
        return web.json_response({"status": "rolled_back", **model.describe()})

    async def _predict(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(self._score(body.get("features", {})))

    async def _predict_batch(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"predictions": [self._score(f) for f in body.get("instances", [])]})

    def _score(self, features: dict) -> dict:
        amount = float(features.get("Amount", 0) or 0)
        model = self.registry.get("classifier")
        return {"fraud_probability": round(min(1.0, amount / 10_000), 4), "model_version": model.active.version}

    async def _trigger(self, request: web.Request) -> web.Response:
        body = await request.json()
        model_type, data_version = body.get("model_type"), body.get("data_version")
        if not model_type or not data_version:
            raise ServiceError(400, "body must be {model_type, data_version}")
        run = self.registry.start_training(model_type, str(data_version), self.clock.now())
        self.loop.call_later(self.training_sec, lambda: asyncio.ensure_future(self._finish(run)))
        return web.json_response(run.describe(), status=202)

    async def _finish(self, run: TrainingRun) -> None:
        model = self.registry.finish_training(run, self.training_f1, self.clock.now())
        if model is None or self.warehouse is None:
            return
        try:
            await asyncio.to_thread(write_promoted, self.warehouse, model.model_name, model.active.version,
                                    model.active.f1, self.clock.now())
        except WarehouseError as error:  # the model serves either way; only the measurement is missing
            run.error = f"promoted, but its first measurement was not written: {error}"

    async def _training_status(self, request: web.Request) -> web.Response:
        return web.json_response(self.registry.status(request.query.get("model_type")))

    async def _metrics(self, request: web.Request) -> web.Response:
        lines = ["# TYPE demo_ml_requests_total counter"]
        with self._lock:
            counts: dict[tuple[str, str], int] = defaultdict(int)
            for r in self.requests:
                counts[(r.method, r.path)] += 1
        lines += [f'demo_ml_requests_total{{method="{m}",path="{p}"}} {n}' for (m, p), n in sorted(counts.items())]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")


async def _model_type(request: web.Request) -> str:
    body = await request.json() if request.can_read_body else {}
    return str(body.get("model_type") or "classifier")
