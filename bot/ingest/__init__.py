"""The ingest webhook: alerts from Alertmanager, Grafana or any sender, taken in on the bot's HTTP
server and handled like swept alerts (bot/monitor/notifier.py)."""

from __future__ import annotations

from aiohttp import web

from bot.deps import Deps
from bot.ingest.routes import IngestRoutes


def add_routes(app: web.Application, deps: Deps) -> None:
    IngestRoutes(deps).add_to(app)
