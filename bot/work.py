"""Background work after an ack, bounded and yielding to acks.

Slack redelivers an envelope that is not acked within 3 seconds, so in a burst every ack must
go out before the work the requests trigger. Listeners ack first, then enter `slot()`, which
(1) waits until no received envelope is unacked and none has arrived for QUIET_SEC — a burst
still in the socket buffer is read and acked before work starts — for at most MAX_YIELD_SEC, so
a steady stream of requests cannot starve the work; and (2) lets at most `slots` requests work
at once. One timer watches for quiet; waiting listeners sleep on one Event, they do not poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

QUIET_SEC = 0.02
MAX_YIELD_SEC = 0.25


class WorkSlots:
    def __init__(self, slots: int = 8) -> None:
        self.slots = slots
        self.pending_acks = 0
        self.in_flight = 0  # requests between ack and the end of their work
        self.last_received = 0.0  # time.monotonic() of the latest envelope
        # made on first use, on the bot's own loop
        self._semaphore: asyncio.Semaphore | None = None
        self._quiet: asyncio.Event | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task] = set()

    def envelope_received(self) -> None:
        self.pending_acks += 1
        self.last_received = time.monotonic()
        self._quiet_event().clear()

    def envelope_acked(self) -> None:
        self.pending_acks = max(0, self.pending_acks - 1)
        if not self.pending_acks and self._timer is None:
            self._check_quiet()

    def _check_quiet(self) -> None:
        self._timer = None
        if self.pending_acks:
            return  # the last ack will check again
        quiet_for = time.monotonic() - self.last_received
        if quiet_for >= QUIET_SEC:
            self._quiet_event().set()
        else:
            self._timer = asyncio.get_running_loop().call_later(QUIET_SEC - quiet_for, self._check_quiet)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self.in_flight += 1
        try:
            quiet = self._quiet_event()
            if not quiet.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(MAX_YIELD_SEC):
                        await quiet.wait()
            if self._semaphore is None:
                self._semaphore = asyncio.Semaphore(self.slots)
            async with self._semaphore:
                yield
        finally:
            self.in_flight -= 1

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run `coro` in the background under a slot; tracked (drained at shutdown, never garbage-collected)."""
        async def in_slot() -> None:
            async with self.slot():
                await coro

        task = asyncio.get_running_loop().create_task(in_slot())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def drain(self, timeout_sec: float) -> int:
        """At shutdown, after the socket is closed: let accepted requests finish their work.

        Returns how many were still unfinished when the time ran out.
        """
        deadline = time.monotonic() + timeout_sec
        while (self.in_flight or self._background) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return max(self.in_flight, len(self._background))

    def _quiet_event(self) -> asyncio.Event:
        if self._quiet is None:
            self._quiet = asyncio.Event()
            self._quiet.set()
        return self._quiet
