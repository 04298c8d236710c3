"""The app factory: a Bolt AsyncApp on the Slack edge's Web API client, with every listener registered."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers import register_all
from handlers.slack_edge import SlackEdge

log = logging.getLogger("agentops.app")


def _request_kind(body: dict) -> str:
    if "command" in body:
        return "slash_command"
    if body.get("type") == "event_callback":
        return body.get("event", {}).get("type", "event")
    return str(body.get("type", "unknown"))


def _unhandled_is_ours(record: logging.LogRecord) -> bool:
    # Bolt warns about every request no listener matched, with a code suggestion; the socket handler
    # acks, answers, audits and counts those (handlers/unhandled.py), so the warning is only noise
    return not str(record.msg).startswith("Unhandled request")


def build_app(deps: Deps, slack: SlackEdge) -> AsyncApp:
    bolt_log = logging.getLogger("agentops.bolt")
    bolt_log.addFilter(_unhandled_is_ours)
    app = AsyncApp(client=slack.client, process_before_response=False, logger=bolt_log)

    @app.error
    async def on_unhandled(error: Exception, body: dict) -> None:
        if not deps.store_outages.reported(error, f"handling a {_request_kind(body)}", deps.clock.now()):
            log.error("unhandled error in a %s listener", _request_kind(body), exc_info=error)

    register_all(app, deps, slack)
    return app
