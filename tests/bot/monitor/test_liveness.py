"""The monitor's liveness while a tick is slow on purpose (Slack down: its posts are retried until the
sweep's one deadline): a tick in progress is alive, only one that ran far longer than a tick may is stuck."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.monitor.monitor import Monitor
from bot.monitor.notifier import Notifier
from bot.monitor.sweep import Alert
from bot.notify import PostRef
from bot.store.records import StoredAlert
from tests.helpers.announcer import MemoryAnnouncer
from tests.helpers.domain import domain

GROUP = "g" * 40


class SlowChat(MemoryAnnouncer):
    """A chat whose posts hang until the test lets them through, noting each post's repost deadline."""

    def __init__(self) -> None:
        super().__init__()
        self.through = asyncio.Event()
        self.posting = asyncio.Event()
        self.deadlines: list[float | None] = []

    async def alert_posted(self, component: str, alerts: Sequence[StoredAlert],
                           retry_until: float | None = None) -> PostRef | None:
        self.deadlines.append(retry_until)
        self.posting.set()
        await self.through.wait()
        return await super().alert_posted(component, alerts, retry_until)


def test_a_tick_held_up_by_its_posts_is_alive_until_it_overruns_by_far(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, monitor_poll_interval_sec=30) as d:
        chat = SlowChat()
        monitor = Monitor(replace(d.deps, announcer=chat), replica="test")

        async def story() -> None:
            tick = asyncio.create_task(monitor.tick())
            await asyncio.wait_for(chat.posting.wait(), 30)
            [deadline] = chat.deadlines  # one deadline for the sweep, no later than its interval
            assert deadline is not None and deadline <= time.monotonic() + 30
            d.clock.advance(timedelta(seconds=100))  # past 3 intervals since the tick began: still running
            assert monitor.alive(d.clock.now())
            d.clock.advance(timedelta(seconds=201))  # 301 s: far past anything a tick may take
            assert not monitor.alive(d.clock.now())
            chat.through.set()
            await asyncio.wait_for(tick, 30)
            assert monitor.alive(d.clock.now())  # finished just now
            d.clock.advance(timedelta(seconds=91))
            assert not monitor.alive(d.clock.now())  # no tick since: the schedule stalled

        asyncio.run(story())
        assert [s.what for s in chat.said] == ["alert_posted"]


def ingested(now) -> Alert:  # type: ignore[no-untyped-def]
    return Alert("x1", "latency:checkout", "warning", "latency", "checkout", {}, "checkout p95 high", now, now)


def test_an_ingested_group_stays_claimed_while_its_slow_post_outlasts_the_lease(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, scenario=None) as d:
        chat = SlowChat()
        notifier = Notifier(replace(d.deps, announcer=chat), replica="first")
        groups, lease = d.deps.store.ingest_groups, Notifier.lease

        async def story() -> list[str]:
            posting = asyncio.create_task(notifier.apply_ingested({"latency:checkout": ingested(now)}, set(),
                                                                  GROUP, d.clock.now()))
            await asyncio.wait_for(chat.posting.wait(), 30)
            d.clock.advance(lease * 0.7)
            await asyncio.sleep(lease.total_seconds() / 4 + 1)  # one heartbeat, at the advanced clock
            d.clock.advance(lease * 0.7)  # past the claim's first lease, within the renewed one
            # a sender's resend reaching another replica now must not take the group (it would post it again)
            assert not await asyncio.to_thread(groups.claim, GROUP, "second", d.clock.now(), lease)
            chat.through.set()
            return await asyncio.wait_for(posting, 30)

        assert asyncio.run(story()) == []
        assert [s.what for s in chat.said] == ["alert_posted"]


def test_an_ingested_alert_left_unposted_is_posted_by_a_later_sweep_once(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, scenario="healthy") as d:
        # its request's replica died after storing it (or the sender gave up): nothing would ever post it
        d.deps.store.alerts.open(fingerprint="latency:checkout", alert_type="latency", severity="warning",
                                 component="checkout", metrics={}, message="checkout p95 high", now=now,
                                 source="ingest", group_key=GROUP)
        monitor = Monitor(d.deps, replica="test")

        async def story() -> None:
            await monitor.tick()  # a request may still be posting it: its turn
            assert d.announcer.of("alert_posted") == []
            d.clock.advance(Notifier.lease)
            await monitor.tick()
            d.clock.advance(timedelta(minutes=1))
            await monitor.tick()

        asyncio.run(story())
        [posted] = d.announcer.of("alert_posted")
        assert [a.fingerprint for a in posted.details["alerts"]] == ["latency:checkout"]
        [stored] = d.deps.store.alerts.list_firing()
        assert (stored.slack_channel, stored.slack_ts) == (posted.details["post"].channel, posted.details["post"].ts)
        assert len(d.deps.store.incidents.recent()) == 1
