"""The socket-mode handler: Bolt's, plus what Slack's delivery needs from us. Every envelope is
acked, including the ones no listener takes; receipt and ack are tracked so background work yields
to pending acks; acks are counted where they are sent."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import WSMessage, WSMsgType
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.deps import Deps
from handlers.payload_shape import payload_problem
from handlers.slack_edge import SlackEdge
from handlers.unhandled import answer_unhandled


def _one_line_retries(record: logging.LogRecord) -> bool:
    # slack-sdk logs each failed (re)connection with a traceback; the reason is all an operator needs
    if str(record.msg).startswith(("Failed to connect", "Failed to retrieve WSS URL")):
        record.msg, record.args = " ".join(record.getMessage().split()), ()
        record.exc_info = record.exc_text = None
    return True


class AckTrackingSocketModeHandler(AsyncSocketModeHandler):
    """Tracks envelopes from receipt to ack, so background work can yield to pending acks,
    and counts acks where they are sent (cheaper than a Bolt middleware on every request)."""

    def __init__(self, *args: Any, deps: Deps, slack: SlackEdge, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(f is _one_line_retries for f in self.client.logger.filters):
            self.client.logger.addFilter(_one_line_retries)
        self._deps, self._slack = deps, slack
        self.client.on_message_listeners.append(self._received)

    async def _received(self, message: WSMessage) -> None:
        if message.type == WSMsgType.TEXT and '"envelope_id"' in message.data:
            self._deps.work.envelope_received()

    # the same narrower client type as Bolt's own aiohttp handler declares (and ignores) for this override
    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        try:
            started = time.time()
            problem = payload_problem(req.type, req.payload)  # Bolt's matchers would raise on it
            response = BoltResponse(status=400) if problem else await run_async_bolt_app(self.app, req)
            if response.status == 200:
                await send_async_response(client, req, response, started)
            else:
                # no listener acked it (unknown button, malformed payload, a type we have no listener for):
                # acked all the same, or Slack retries it and shows its sender an error, and answered
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                self._deps.metrics.unhandled.labels(kind=req.type).inc()
                self._deps.work.spawn(answer_unhandled(self._deps, self._slack, req.type, req.payload,
                                                       problem=problem, failed=response.status not in (400, 404)))
            self._deps.metrics.acks.labels(kind=req.type).inc()
        finally:
            self._deps.work.envelope_acked()
