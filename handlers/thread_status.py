"""An investigation's progress as the thread's status line ("AgentOps is querying feature drift…"),
set with assistant.threads.setStatus, instead of a message edited at every step.

The thread keeps only what is worth reading afterwards (the diagnosis); Slack clears the status
when the bot replies there. Steps arrive from the worker thread doing the blocking work; each status
call runs on the bot's loop, and the reply waits for them so a late status never outlives it.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

from handlers.slack_edge import SlackEdge, SlackFailure

STATUS_LIMIT = 100  # a status is one line under the thread: long tool arguments would wrap it


def status_line(step: str) -> str:
    """`is <step>…`; a step names tools and components, never markup (setStatus text is plain)."""
    line = f"is {step}"
    return (line if len(line) <= STATUS_LIMIT else line[: STATUS_LIMIT - 1].rsplit(" ", 1)[0]) + "…"


class ThreadStatus:
    def __init__(self, edge: SlackEdge, channel: str, thread_ts: str) -> None:
        self.edge, self.channel, self.thread_ts = edge, channel, thread_ts
        self.steps: list[str] = []
        self._pending: list[Future] = []
        self._loop = asyncio.get_running_loop()

    async def start(self, what: str) -> bool:
        """False when Slack refused a status in this thread (then nothing else will be shown there)."""
        return await self._set(status_line(what))

    def step(self, step: str) -> None:
        """From a worker thread: the step now in progress."""
        self.steps.append(step)
        self._pending.append(asyncio.run_coroutine_threadsafe(self._set(status_line(step)), self._loop))

    async def settled(self) -> None:
        """Every status call sent so far has been answered (call before the reply that ends the status)."""
        await asyncio.gather(*(asyncio.wrap_future(f) for f in self._pending), return_exceptions=True)

    async def clear(self) -> None:
        await self.settled()
        await self._set("")

    async def _set(self, status: str) -> bool:
        result = await self.edge.call("assistant.threads.setStatus", self.edge.client.assistant_threads_setStatus(
            channel_id=self.channel, thread_ts=self.thread_ts, status=status))
        return not isinstance(result, SlackFailure)
