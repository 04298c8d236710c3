"""Work after an ack: yields to pending acks (bounded), limited concurrency, drained at shutdown."""

from __future__ import annotations

import asyncio
import time

from bot import work
from bot.work import WorkSlots


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_work_waits_for_pending_acks_and_a_quiet_link() -> None:
    async def scenario() -> list[str]:
        slots, events = WorkSlots(), []
        slots.envelope_received()

        async def request() -> None:
            async with slots.slot():
                events.append("work")

        task = asyncio.create_task(request())
        await asyncio.sleep(0.05)
        events.append("ack")
        slots.envelope_acked()
        await task
        return events

    assert run(scenario()) == ["ack", "work"]


def test_a_stream_of_envelopes_cannot_starve_work() -> None:
    async def scenario() -> float:
        slots = WorkSlots()
        slots.envelope_received()  # never acked
        started = time.monotonic()
        async with slots.slot():
            return time.monotonic() - started

    waited = run(scenario())
    assert work.MAX_YIELD_SEC <= waited < work.MAX_YIELD_SEC + 0.5


def test_at_most_n_requests_work_at_once() -> None:
    async def scenario() -> int:
        slots, running, peak = WorkSlots(slots=3), 0, 0

        async def request() -> None:
            nonlocal running, peak
            async with slots.slot():
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.01)
                running -= 1

        await asyncio.gather(*(request() for _ in range(20)))
        return peak

    assert run(scenario()) == 3


def test_drain_waits_for_accepted_work_then_gives_up() -> None:
    async def scenario() -> tuple[int, int]:
        slots = WorkSlots()

        async def request(seconds: float) -> None:
            async with slots.slot():
                await asyncio.sleep(seconds)

        short = asyncio.create_task(request(0.05))
        await asyncio.sleep(0)
        finished = await slots.drain(1.0)
        await short
        long = asyncio.create_task(request(5))
        await asyncio.sleep(0)
        unfinished = await slots.drain(0.1)
        long.cancel()
        return finished, unfinished

    assert run(scenario()) == (0, 1)


def test_spawned_work_is_tracked_and_drained() -> None:
    async def scenario() -> tuple[list[str], int]:
        slots, done = WorkSlots(slots=1), []

        async def investigation(name: str) -> None:
            await asyncio.sleep(0.05)
            done.append(name)

        slots.spawn(investigation("a"))
        slots.spawn(investigation("b"))  # waits for the single slot
        unfinished = await slots.drain(2.0)
        return done, unfinished

    assert run(scenario()) == (["a", "b"], 0)
