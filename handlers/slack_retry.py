"""Slack steps that failed while Slack was down or busy (an edit, a thread note), retried until it
answers again: backing off, never sooner than a 429's Retry-After, and all at once as soon as one
gets through. A newer version of a step (the latest redraw of a post) replaces the one waiting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.slack_edge import SlackFailure

log = logging.getLogger("agentops.slack")
Attempt = Callable[[], Awaitable[SlackFailure | None]]
FIRST_RETRY_SEC, MAX_BACKOFF_SEC = 1.0, 15.0
GIVE_UP_AFTER_SEC = 6 * 3600.0  # a step this old describes a state long gone: it is logged and dropped


@dataclass
class _Step:
    attempt: Attempt
    due: float
    since: float
    tries: int = 0


class PendingSteps:
    def __init__(self) -> None:
        self._steps: dict[str, _Step] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._steps)

    def retry(self, key: str, attempt: Attempt, failure: SlackFailure) -> None:
        """Try `attempt` again once Slack answers; `key` names the step (a newer one replaces it)."""
        now = time.monotonic()
        earlier = self._steps.get(key)
        self._steps[key] = _Step(attempt, now + self._wait(failure, 0), earlier.since if earlier else now)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain(), name="slack-retries")
        self._wake.set()

    def discard(self, key: str) -> None:
        """A newer version of the step is being made now: the waiting one must not overwrite it later."""
        self._steps.pop(key, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    @staticmethod
    def _wait(failure: SlackFailure, tries: int) -> float:
        backoff = min(MAX_BACKOFF_SEC, FIRST_RETRY_SEC * 2 ** tries)
        return max(backoff, failure.retry_after or 0.0)

    async def _drain(self) -> None:
        while self._steps:
            now = time.monotonic()
            due = [(key, step) for key, step in self._steps.items() if step.due <= now]
            if not due:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), min(s.due for s in self._steps.values()) - now)
                continue
            for key, step in due:
                if self._steps.get(key) is not step:
                    continue  # replaced or discarded while an earlier step ran
                await self._run(key, step)

    async def _run(self, key: str, step: _Step) -> None:
        try:
            failure = await step.attempt()
        except Exception:  # a bug in rendering must not stop every other retry
            log.exception("retrying slack step %s failed", key)
            failure = None
        if self._steps.get(key) is step:
            if failure is None or not failure.unavailable:
                del self._steps[key]  # done, or Slack refused it for good (the edge logged why)
            elif time.monotonic() - step.since > GIVE_UP_AFTER_SEC:
                log.warning("slack step %s still failing after %.0f h; dropped", key, GIVE_UP_AFTER_SEC / 3600)
                del self._steps[key]
            else:
                step.tries += 1
                step.due = time.monotonic() + self._wait(failure, step.tries)
        if failure is None:  # Slack answers again: what waits for it need not wait out its backoff
            for waiting in self._steps.values():
                waiting.due = min(waiting.due, time.monotonic())
