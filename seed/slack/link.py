"""Socket mode: the WebSocket link, envelopes out, acks back, hello/disconnect, round-robin delivery.

The link runs on an event loop (and port) of its own: acks are timestamped as they arrive, not
after whatever Web API work (Block Kit validation of a burst of replies) the stand-in is doing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
import uuid

from aiohttp import WSMsgType, web

from bot.http_site import start_site
from seed.slack.workspace import Envelope, Workspace

log = logging.getLogger(__name__)


class SocketLink:
    def __init__(self, ws: Workspace, host: str) -> None:
        self.ws = ws
        self.host, self.port = host, 0
        self.tickets: set[str] = set()
        self.open: dict[int, web.WebSocketResponse] = {}
        self._ids = itertools.count(1)
        self._round_robin = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="slack-standin-link", daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> None:
        self._thread.start()
        self.run(self._serve())

    def stop(self) -> None:
        if self._runner is not None:
            self.run(self.close_all())
            self.run(self._runner.cleanup())
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def run(self, coro, timeout: float = 60.0):  # type: ignore[no-untyped-def]
        """Run a coroutine on the link's loop from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/link/?ticket={self.new_ticket()}"

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self.handle)
        self._runner, self.port = await start_site(app, self.host, 0)

    def new_ticket(self) -> str:
        ticket = uuid.uuid4().hex
        self.tickets.add(ticket)
        return ticket

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            raise web.HTTPUnauthorized(text="invalid ticket")
        self.tickets.discard(ticket)  # a ticket opens one connection, as with Slack
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        conn_id = next(self._ids)
        await socket.send_str(json.dumps({"type": "hello", "num_connections": len(self.open) + 1,
                                          "connection_info": {"app_id": "A0AGENTOPS"},
                                          "debug_info": {"host": "standin", "approximate_connection_time": 3600}}))
        self.open[conn_id] = socket
        self._event("open", conn_id)
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    self._ack(json.loads(frame.data), conn_id)
        finally:
            self.open.pop(conn_id, None)
            self._event("close", conn_id)
        return socket

    async def deliver(self, kind: str, payload: dict, wait_sec: float = 10.0) -> str:
        """Send one envelope over one open connection (Slack picks one of up to 10)."""
        deadline = time.monotonic() + wait_sec
        while not self.open:
            if time.monotonic() > deadline:
                raise TimeoutError("no socket-mode connection is open")
            await asyncio.sleep(0.005)
        conn_id = sorted(self.open)[next(self._round_robin) % len(self.open)]
        envelope = Envelope(uuid.uuid4().hex, kind, payload, time.monotonic(), connection=conn_id)
        with self.ws.changed:
            self.ws.envelopes[envelope.envelope_id] = envelope
        await self.open[conn_id].send_str(json.dumps({
            "envelope_id": envelope.envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": ""}))
        return envelope.envelope_id

    async def close_all(self) -> None:
        for socket in list(self.open.values()):
            await socket.close()

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        for socket in list(self.open.values()):
            await socket.send_str(json.dumps({"type": "disconnect", "reason": reason,
                                              "debug_info": {"host": "standin"}}))

    def _ack(self, message: dict, conn_id: int) -> None:
        envelope = self.ws.envelopes.get(message.get("envelope_id", ""))
        if envelope is None:
            log.warning("ack for an unknown envelope on connection %s: %s", conn_id, message)
            return
        with self.ws.changed:
            envelope.acked_at = time.monotonic()
            envelope.ack_payload = message.get("payload")
            self.ws.changed.notify_all()

    def _event(self, kind: str, conn_id: int) -> None:
        with self.ws.changed:
            self.ws.connection_events.append((time.monotonic(), kind, conn_id))
            self.ws.changed.notify_all()
