"""Liveness is about the process, readiness about what it depends on: a dependency's outage fails
readiness (naming it), never liveness; only a stuck schedule fails liveness."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from bot.readiness import Readiness
from bot.warehouse import WarehouseUnavailable
from tests.helpers.domain import domain


def test_an_outage_is_not_ready_but_alive_and_a_stuck_schedule_is_not_alive(tmp_path: Path, now: datetime) -> None:
    socket_up = True

    async def connected() -> bool:
        return socket_up

    with domain(tmp_path / "wh", now, scenario=None) as world:
        deps = world.deps
        stuck = False
        readiness = Readiness(deps, connected, lambda: not stuck)

        async def probes() -> None:  # on one event loop, as the health server runs them
            nonlocal socket_up, stuck
            assert await readiness.ready() == (True, {"status": "ready", "down": [], "checks": {
                "warehouse": True, "state_store": True, "slack_socket": True}})
            deps.fleet.unavailable(WarehouseUnavailable("warehouse unavailable (test): connection refused"))
            socket_up = False
            deps.claude_health.problem = "Claude rejected the credentials (401)"
            ready, body = await readiness.ready()
            assert not ready and body["down"] == ["warehouse", "slack_socket"]
            assert body["warnings"] == ["claude: Claude rejected the credentials (401)"]  # said, never "down"
            assert body["checks"]["warehouse"] == "warehouse unavailable (test): connection refused"  # type: ignore[index]
            assert readiness.alive() == (True, {"status": "ok", "checks": {"scheduler": True}})
            stuck = True
            assert readiness.alive() == (False, {"status": "stuck", "checks": {"scheduler": False}})
            deps.fleet.reachable()  # a sweep read the warehouse again
            socket_up, deps.claude_health.problem = True, ""
            world.clock.advance(timedelta(seconds=10))
            assert (await readiness.ready())[0]

        try:
            asyncio.run(probes())
        finally:
            readiness.close()


def test_readiness_can_require_only_the_state_store_and_still_lists_every_check(tmp_path: Path, now: datetime) -> None:
    async def disconnected() -> bool:
        return False

    with domain(tmp_path / "wh", now, scenario=None, readiness_requires="state_store") as world:
        readiness = Readiness(world.deps, disconnected)
        world.deps.fleet.unavailable(WarehouseUnavailable("warehouse unavailable (test): connection refused"))

        async def probes() -> None:
            # the warehouse and Slack are down: ingest, which needs neither, keeps this pod in rotation
            assert await readiness.ready() == (True, {
                "status": "ready", "down": ["warehouse", "slack_socket"], "required": ["state_store"],
                "checks": {"warehouse": "warehouse unavailable (test): connection refused", "state_store": True,
                           "slack_socket": "the socket-mode connection is down"}})

        try:
            asyncio.run(probes())
        finally:
            readiness.close()
