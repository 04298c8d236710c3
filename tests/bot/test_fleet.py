"""The fleet snapshot during a warehouse outage: readers are answered at once from the last good
reading, told how old it is, and see fresh numbers again once the warehouse answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import load_settings
from bot.fleet import FleetView
from bot.warehouse import EmbeddedWarehouseServer, Warehouse, WarehouseUnavailable
from bot.warehouse.params import embedded_params
from tests.helpers.warehouses import seeded_data_dir

TIMEOUT = 3
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # see test_timeout


@pytest.fixture
def served(tmp_path: Path, now: datetime) -> Iterator[tuple[EmbeddedWarehouseServer, Warehouse]]:
    data_dir = seeded_data_dir(tmp_path / "wh", "drift", now)
    server = EmbeddedWarehouseServer(data_dir, "AGENTOPS", "PUBLIC").start()
    settings = load_settings(agentops_data_dir=data_dir)
    warehouse = Warehouse(embedded_params(settings, server.host, server.port), timeout_sec=TIMEOUT, retries=2,
                          describe="test warehouse")
    yield server, warehouse
    warehouse.close()
    server.stop()


def _timed(fleet: FleetView):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    reading = fleet.latest()
    return reading, time.monotonic() - started


def test_an_outage_is_answered_from_the_last_reading_at_once(served, now: datetime) -> None:  # type: ignore[no-untyped-def]
    server, warehouse = served
    clock = ManualClock(now)
    fleet = FleetView(warehouse, clock)
    good = fleet.latest()
    assert good.problem is None and good.read_at == now
    assert "classifier_v2" in {c.name for c in good.components or []}
    port = server.port
    server.stop()

    clock.advance(timedelta(minutes=1))
    first, _ = _timed(fleet)  # nobody knew of the outage: this reader finds out (within the timeout)
    assert first.problem and first.problem.startswith("warehouse unavailable (test warehouse)")
    assert first.components == good.components and first.read_at == now
    for _ in range(3):  # every later reader, also once the snapshot is stale, is answered at once
        clock.advance(timedelta(minutes=1))
        later, waited = _timed(fleet)
        assert waited < 0.5, waited
        assert later.problem and later.read_at == now and later.components == good.components
    with pytest.raises(WarehouseUnavailable):
        fleet.get()  # the old accessors still say the warehouse is down

    again = EmbeddedWarehouseServer(server.data_dir, "AGENTOPS", "PUBLIC", port=port).start()
    try:
        fleet.reachable()  # as a sweep that read the warehouse says
        assert fleet.known_problem() is None
        clock.advance(timedelta(seconds=1))
        back = fleet.latest()
        assert back.problem is None and back.read_at == now + timedelta(minutes=4, seconds=1)
    finally:
        warehouse.close()
        again.stop()


def test_a_sweep_that_met_the_outage_spares_readers_the_wait(served, now: datetime) -> None:  # type: ignore[no-untyped-def]
    server, warehouse = served
    clock = ManualClock(now)
    fleet = FleetView(warehouse, clock)
    fleet.latest()
    server.stop()
    clock.advance(timedelta(minutes=1))
    fleet.unavailable(WarehouseUnavailable("warehouse unavailable (test warehouse): refused"))
    reading, waited = _timed(fleet)
    assert waited < 0.5, waited
    assert reading.problem == "warehouse unavailable (test warehouse): refused" and reading.read_at == now
    assert fleet.known_problem() == reading.problem


def test_a_stale_known_problem_is_looked_at_again_so_readiness_recovers_without_readers(  # type: ignore[no-untyped-def]
        served, now: datetime) -> None:
    _server, warehouse = served
    clock = ManualClock(now)
    fleet = FleetView(warehouse, clock)
    fleet.unavailable(WarehouseUnavailable("warehouse unavailable (test warehouse): refused"))  # one failed read
    assert fleet.known_problem() == "warehouse unavailable (test warehouse): refused"  # fresh: not read again
    clock.advance(timedelta(seconds=16))  # older than max_age; no status read, no App Home, no sweep since
    started = time.monotonic()
    assert fleet.known_problem() == "warehouse unavailable (test warehouse): refused"  # answered at once...
    assert time.monotonic() - started < 0.5
    deadline = time.monotonic() + 10  # ...while a background read finds the warehouse answering
    while fleet.known_problem() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fleet.known_problem() is None and fleet.latest().read_at == now + timedelta(seconds=16)
