"""A loopback HTTP server on an event loop of its own thread: the base of the demo's stand-ins.

Tests and `agentops demo` drive these synchronously from their own thread; the server's loop
keeps answering the bot meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from aiohttp import web

from bot.http_site import start_site


class LoopbackServer:
    name = "loopback"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=self.name, daemon=True)
        self._runner: web.AppRunner | None = None

    def build_app(self) -> web.Application:
        raise NotImplementedError

    def start(self):  # type: ignore[no-untyped-def]
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    async def _start(self) -> None:
        self._runner, self.port = await start_site(self.build_app(), self.host, self.port)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
            self._runner = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def wait_for(self, predicate: Callable[[], object], timeout: float = 15.0):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not (result := predicate()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {self.name} stand-in did not reach the expected state in {timeout} s")
            time.sleep(0.02)
        return result
