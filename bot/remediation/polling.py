"""Reads an action's outcome depends on, retried with backoff until the action's deadline.

A window of 503s or a hang on `/training/status`, `/health` or `/model/info` is not an answer: the
read is tried again, waiting longer each time, and only the service's own answer — or the deadline —
decides how the action ends. A 4xx is an answer (the service understood and refused) and is not retried.
Blocking code, on the monotonic clock: real waiting on a real service.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from bot.ml_service import MLServiceRejected, MLServiceUnavailable

T = TypeVar("T")
MAX_BACKOFF_SEC = 30.0


class ActionFailed(Exception):
    pass


class Deadline:
    """When the action must have been decided, as seconds from now on the monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + max(0.0, seconds)

    @property
    def left(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.left <= 0


def read(call: Callable[[], T], deadline: Deadline, first_wait: float, what: str,
         sleep: Callable[[float], Any] = time.sleep) -> T:
    """`call()`'s answer, retried on an unavailable service (each try already has the client's own timeout
    and retries) with the wait doubling from `first_wait`, until the deadline."""
    wait = first_wait
    while True:
        try:
            return call()
        except MLServiceRejected:
            raise
        except MLServiceUnavailable as error:
            if deadline.passed:
                raise ActionFailed(f"{what} could not be read before the action's deadline "
                                   f"({deadline.seconds:.0f} s): {error}") from None
        sleep(min(wait, max(deadline.left, 0.0)))
        wait = min(wait * 2, MAX_BACKOFF_SEC)
