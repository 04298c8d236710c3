"""Progress as one thread message edited in place (never a stream of posts); the last edit is the outcome.

Steps arrive from the worker thread doing the blocking work; their edits run on the bot's loop,
and the final edit waits for them so it is always the last word. A step edit Slack refuses is
superseded by the next; the final one goes through `last_edit`, which retries it while Slack is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future

from bot.notify import PostRef
from handlers.blocks import Blocks
from handlers.own_posts import tagged
from handlers.slack_edge import SlackEdge, SlackFailure

Render = Callable[[list[str]], tuple[str, Blocks]]
Edit = Callable[[PostRef, str, Blocks], Awaitable[None]]


class ProgressMessage:
    def __init__(self, edge: SlackEdge, channel: str, thread_ts: str, render: Render, last_edit: Edit) -> None:
        self.edge, self.channel, self.thread_ts, self.render = edge, channel, thread_ts, render
        self.last_edit = last_edit
        self.ts: str | None = None
        self.steps: list[str] = []
        self._edits: list[Future] = []
        self._loop = asyncio.get_running_loop()

    async def post(self) -> bool:
        text, blocks = self.render([])
        posted = await self.edge.call("chat.postMessage", self.edge.client.chat_postMessage(
            channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks, metadata=tagged("progress")))
        if isinstance(posted, SlackFailure):
            return False
        self.channel, self.ts = posted["channel"], posted["ts"]
        return True

    def step(self, step: str) -> None:
        """From a worker thread: show `step` as the one in progress."""
        self.steps.append(step)
        self._edits.append(asyncio.run_coroutine_threadsafe(self._edit(*self.render(list(self.steps))), self._loop))

    async def show(self, text: str, blocks: Blocks) -> None:
        await asyncio.gather(*(asyncio.wrap_future(f) for f in self._edits), return_exceptions=True)
        if self.ts is not None:
            await self.last_edit(PostRef(self.channel, self.ts), text, blocks)
        else:
            await self._edit(text, blocks)

    async def _edit(self, text: str, blocks: Blocks) -> None:
        client = self.edge.client
        if self.ts is None:  # never posted: the outcome goes in as a new message instead
            await self.edge.call("chat.postMessage", client.chat_postMessage(
                channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks, metadata=tagged("outcome")))
        else:
            await self.edge.call("chat.update", client.chat_update(channel=self.channel, ts=self.ts, text=text,
                                                                   blocks=blocks))
