"""Slack failing the ways it does, for the stand-in: an error or a 429 instead of an answer; an outage
window of 429s (with Retry-After) or 5xx; and the lost answer — the call was done (the message
stored) but the caller hears a 500, a reset connection, or nothing until the test lets the answer go.
Every fault is armed per Web API method, from the test's thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

HOLD_LIMIT_SEC = 120.0  # a held answer is sent at the latest then, so the stand-in can always stop
Answer = tuple[int, str, dict[str, str]]  # HTTP status, Slack error code, headers


@dataclass(frozen=True)
class Window:
    methods: frozenset[str] | None  # None: every method
    until: float  # time.monotonic()
    answer: Answer


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._before: dict[str, deque[Answer]] = defaultdict(deque)
        self._after: dict[str, deque[str]] = defaultdict(deque)  # "500" | "reset" | "hold"
        self._windows: list[Window] = []
        self._delays: dict[str, float] = {}
        self._released = threading.Event()
        self.held = threading.Event()  # set once a held answer is waiting (the call itself was done)

    # arming (from the test's thread) -------------------------------------------------------------
    def instead(self, method: str, answer: Answer, times: int) -> None:
        with self._lock:
            self._before[method].extend([answer] * times)

    def window(self, seconds: float, status: int, retry_after: int | None = None,
               methods: tuple[str, ...] | None = None) -> None:
        """Every call (of `methods`) is answered `status` for the next `seconds`, without being done."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        error = "ratelimited" if status == 429 else "internal_error"
        with self._lock:
            self._windows.append(Window(frozenset(methods) if methods else None, time.monotonic() + seconds,
                                        (status, error, headers)))

    def after_storing(self, method: str, how: str, times: int = 1) -> None:
        """The call is done, then its answer is lost: "500", "reset" (the connection drops) or "hold"
        (no answer until `release()`)."""
        assert how in ("500", "reset", "hold"), how
        with self._lock:
            if how == "hold":
                self._released.clear()
                self.held.clear()
            self._after[method].extend([how] * times)

    def delay(self, method: str, seconds: float) -> None:
        """Calls of `method` wait `seconds` before Slack looks at them (a hung Slack)."""
        with self._lock:
            self._delays[method] = seconds

    def release(self) -> None:
        self._released.set()

    # answering (on the stand-in's loop) ------------------------------------------------------------
    def before(self, method: str) -> Answer | None:
        now = time.monotonic()
        with self._lock:
            if self._before[method]:
                return self._before[method].popleft()
            self._windows = [w for w in self._windows if w.until > now]
            return next((w.answer for w in self._windows if w.methods is None or method in w.methods), None)

    async def wait_before(self, method: str) -> None:
        with self._lock:
            seconds = self._delays.get(method, 0.0)
        if seconds:
            await asyncio.sleep(seconds)

    async def after(self, method: str) -> str | None:
        """What becomes of the answer of a call that was done: None (it is sent), "500" or "reset"."""
        with self._lock:
            how = self._after[method].popleft() if self._after[method] else None
        if how == "hold":
            self.held.set()
            deadline = time.monotonic() + HOLD_LIMIT_SEC
            while not self._released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            return None
        return how
