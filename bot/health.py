"""/healthz (liveness), /readyz (readiness) and /metrics for orchestrators, and the ingest webhook
(bot/ingest/), on HEALTH_PORT."""

from __future__ import annotations

import errno
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.deps import Deps
from bot.errors import UserFacingError
from bot.http_site import start_site
from bot.ingest import add_routes as add_ingest_routes
from bot.readiness import Readiness
from bot.scrape import ScrapeRefresh

log = logging.getLogger(__name__)


class HealthServer:
    def __init__(self, deps: Deps, host: str, port: int, slack_connected: Callable[[], Awaitable[bool]],
                 scheduler_alive: Callable[[], bool] | None = None):
        self.deps, self.host, self.port = deps, host, port
        self.slack_connected = slack_connected
        self.scheduler_alive = scheduler_alive  # None when the monitor is not scheduled
        self.readiness = Readiness(deps, slack_connected, scheduler_alive)
        self.scrape = ScrapeRefresh(deps, slack_connected)
        self._runner: web.AppRunner | None = None

    async def health(self, _request: web.Request) -> web.Response:
        """Liveness: 503 only when this process is stuck; a dependency's outage is /readyz's business."""
        alive, body = self.readiness.alive()
        # not a reason to restart the bot (it investigates offline meanwhile), but people must act
        if self.deps.claude_health.problem:
            body["warnings"] = [f"claude: {self.deps.claude_health.problem}"]
        return web.json_response(body, status=200 if alive else 503)

    async def ready(self, _request: web.Request) -> web.Response:
        ready, body = await self.readiness.ready()
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        await self.scrape.refresh()
        response = web.Response(body=self.deps.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/readyz", self.ready)
        app.router.add_get("/metrics", self.metrics)
        add_ingest_routes(app, self.deps)
        try:
            self._runner, self.port = await start_site(app, self.host, self.port)
        except OSError as error:
            problem = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be opened ({error.strerror})"
            raise UserFacingError(f"HEALTH_PORT={self.port} {problem} on {self.host}; set HEALTH_PORT to a free "
                                  "port (0 picks one, or stop what listens there)") from None
        log.info("health endpoint on http://%s:%s/healthz", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.readiness.close()
