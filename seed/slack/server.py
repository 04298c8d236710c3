"""SlackStandIn: the Web API and the socket-mode link on loopback, in a thread of its own.

Tests talk to it synchronously (push a command, wait for its ack, read the channel); it records
every call, ack and message, and can inject Slack's failures (an error, a 429, a 5xx).
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import defaultdict
from typing import Any

from aiohttp import web

from bot.http_site import start_site
from seed.slack import payloads
from seed.slack.blockkit import as_read, blocks_text
from seed.slack.faults import Faults
from seed.slack.files import Uploads
from seed.slack.history import HISTORY_METHODS
from seed.slack.link import SocketLink
from seed.slack.render import render_channel
from seed.slack.respond import answer_response_url
from seed.slack.webapi import METHODS, SlackError, read_args
from seed.slack.workspace import BOT_USER, Call, Envelope, Ephemeral, Message, Workspace


class SlackStandIn:
    def __init__(self, bot_token: str = "xoxb-standin-bot", app_token: str = "xapp-standin-app",
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.host, self.port = host, port
        self.ws = Workspace()
        self.link = SocketLink(self.ws, host)
        self.faults = Faults()
        self._response_urls: dict[str, dict[str, Any]] = {}
        self.answered: dict[str, int] = defaultdict(int)  # response_url token → answers posted to it
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="slack-standin", daemon=True)
        self._runner: web.AppRunner | None = None
        self.uploads: Uploads | None = None

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> SlackStandIn:
        self.link.start()
        self._thread.start()
        self._run(self._start())
        return self

    def stop(self) -> None:
        self.faults.release()
        self.link.stop()
        if self._runner is not None:
            self._run(self._runner.cleanup())
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def api_url(self) -> str:
        """The Web API base URL for slack-sdk (with its trailing slash)."""
        return f"{self.base_url}api/"

    # faults --------------------------------------------------------------------------------------
    def fail(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        self.faults.instead(method, (200, error, {}), times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self.faults.instead(method, (429, "ratelimited", {"Retry-After": str(retry_after)}), times)

    # pushing user actions (thread-safe) -----------------------------------------------------------
    def slash_command(self, text: str, user: str = "U0ONCALL", channel: str = "C0MLALERTS",
                      command: str = "/agentops") -> str:
        return self._push(*self.prepare_slash_command(text, user, channel, command))

    def prepare_slash_command(self, text: str, user: str = "U0ONCALL", channel: str = "C0MLALERTS",
                              command: str = "/agentops") -> tuple[str, dict]:
        url = self._response_url(channel=channel, user=user)
        return "slash_commands", payloads.slash_command(command, text, user, channel, url)

    def burst(self, prepared: list[tuple[str, dict]]) -> list[str]:
        """Deliver many envelopes at once (a load burst); returns their envelope ids."""
        async def all_at_once() -> list[str]:
            return list(await asyncio.gather(*(self.link.deliver(kind, payload) for kind, payload in prepared)))

        return self.link.run(all_at_once())

    def mention(self, text: str, user: str = "U0ONCALL", channel: str = "C0MLALERTS",
                thread_ts: str | None = None) -> str:
        message = self._add_user_message(channel, user, f"<@{BOT_USER}> {text}", thread_ts)
        return self._push("events_api", payloads.app_mention(text, user, channel, message.ts, thread_ts))

    def open_home(self, user: str = "U0ONCALL") -> str:
        return self._push("events_api", payloads.app_home_opened(user))

    def click(self, action_id: str, value: str, message_ts: str, user: str = "U0ONCALL",
              channel: str = "C0MLALERTS") -> str:
        return self._push(*self.prepare_click(action_id, value, message_ts, user, channel))

    def prepare_click(self, action_id: str, value: str, message_ts: str, user: str = "U0ONCALL",
                      channel: str = "C0MLALERTS") -> tuple[str, dict]:
        message = self.ws.find(channel, message_ts)
        shown = {"type": "message", "ts": message_ts, "user": BOT_USER, "text": message.text if message else "",
                 "blocks": (message.blocks if message else None) or []}
        if message and message.thread_ts:
            shown["thread_ts"] = message.thread_ts
        url = self._response_url(channel=channel, user=user, message_ts=message_ts)
        return "interactive", payloads.block_actions(action_id, value, user, channel, shown, url)

    def click_ephemeral(self, action_id: str, value: str, shown: Ephemeral) -> str:
        """A click on an ephemeral message: Slack sends no copy of it, only the container naming it."""
        url = self._response_url(channel=shown.channel, user=shown.user, message_ts=shown.ts)
        payload = payloads.block_actions(action_id, value, shown.user, shown.channel, {"ts": shown.ts}, url)
        del payload["message"]
        payload["container"]["is_ephemeral"] = True
        return self._push("interactive", payload)

    @staticmethod
    def response_token(response_url: object) -> str | None:
        """The token of one of this stand-in's response_urls (the key of `answered`)."""
        if isinstance(response_url, str) and "/respond/" in response_url:
            return response_url.rsplit("/respond/", 1)[-1]
        return None

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> Envelope:
        envelope = self.ws.envelopes[envelope_id]
        self.ws.wait_for(lambda: envelope.acked_at is not None, timeout)
        return envelope

    # connections ---------------------------------------------------------------------------------
    def drop_connections(self) -> None:
        self.link.run(self.link.close_all())

    def send_disconnect(self) -> None:
        self.link.run(self.link.send_disconnect())

    # reading state ---------------------------------------------------------------------------------
    def messages(self, channel: str = "C0MLALERTS", thread_ts: str | None = None) -> list[Message]:
        with self.ws.changed:
            return [m for m in self.ws.messages if m.channel == channel and m.thread_ts == thread_ts]

    def ephemerals(self, user: str | None = None) -> list[Ephemeral]:
        with self.ws.changed:
            return [e for e in self.ws.ephemerals if user is None or e.user == user]

    def render(self, channel: str = "C0MLALERTS") -> str:
        with self.ws.changed:
            return render_channel(self.ws, channel)

    def wait_for(self, predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
        return self.ws.wait_for(predicate, timeout)

    @staticmethod
    def render_blocks(item: Message | Ephemeral | dict) -> str:
        """What a person reads in a message, an ephemeral message or a view."""
        if isinstance(item, dict):
            return blocks_text(item.get("blocks"))
        return blocks_text(item.blocks) or as_read(item.text)

    # internals -------------------------------------------------------------------------------------
    def _run(self, coro, timeout: float = 15.0):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _push(self, kind: str, payload: dict) -> str:
        return self.link.run(self.link.deliver(kind, payload))

    def _response_url(self, **context: Any) -> str:
        token = uuid.uuid4().hex
        self._response_urls[token] = context
        return f"{self.base_url}respond/{token}"

    def _add_user_message(self, channel: str, user: str, text: str, thread_ts: str | None) -> Message:
        with self.ws.changed:
            message = Message(channel, self.ws.next_ts(), user, text, None, thread_ts)
            self.ws.messages.append(message)
            self.ws.changed.notify_all()
        return message

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        # slack-sdk sends some reads (conversations.list, chat.getPermalink) as GET
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner, self.port = await start_site(app, self.host, self.port)
        self.uploads = Uploads(self.base_url)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await read_args(request)
        await self.faults.wait_before(method)
        if fault := self.faults.before(method):
            status, error, headers = fault
            return self._answer(method, args, {"ok": False, "error": error}, status, headers)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or args.get("token")
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            return self._answer(method, args, {"ok": False, "error": "not_authed"})
        if token != expected:
            return self._answer(method, args, {"ok": False, "error": "invalid_auth"})
        handler = self._handler(method)
        if handler is None:
            return self._answer(method, args, {"ok": False, "error": "unknown_method"})
        try:
            with self.ws.changed:
                body = {"ok": True, **handler(self.ws, args)}
        except SlackError as error:
            body = {"ok": False, "error": error.error, **({"errors": error.extra["errors"]} if error.extra else {})}
        lost = await self.faults.after(method) if body["ok"] else None
        if lost == "reset" and request.transport is not None:
            request.transport.abort()  # done, and the connection drops before the answer
        if lost:
            return self._answer(method, args, {"ok": False, "error": "internal_error"}, 500)
        return self._answer(method, args, body)

    def _handler(self, method: str):  # type: ignore[no-untyped-def]
        if method == "apps.connections.open":
            return lambda ws, args: {"url": self.link.url()}
        if method == "files.getUploadURLExternal":
            return self.uploads.get_upload_url  # type: ignore[union-attr]
        if method == "files.completeUploadExternal":
            return self.uploads.complete  # type: ignore[union-attr]
        return METHODS.get(method) or HISTORY_METHODS.get(method)

    def _answer(self, method: str, args: dict, body: dict, status: int = 200,
                headers: dict | None = None) -> web.Response:
        with self.ws.changed:
            self.ws.calls.append(Call(method, args, body["ok"], body.get("error"), status))
            self.ws.changed.notify_all()
        return web.json_response(body, status=status, headers=headers)

    async def _respond(self, request: web.Request) -> web.Response:
        context = self._response_urls.get(request.match_info["token"])
        if context is None:
            return web.Response(status=404, text="expired_url")
        with self.ws.changed:
            self.answered[request.match_info["token"]] += 1
        return answer_response_url(self.ws, context, json.loads(await request.read() or b"{}"))

    async def _upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        if not self.uploads or not self.uploads.receive(request.match_info["file_id"], content):
            return web.Response(status=404, text="file_not_found")
        return web.Response(text=f"OK - {len(content)}")
