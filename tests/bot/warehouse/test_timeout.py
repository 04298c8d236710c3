"""WAREHOUSE_TIMEOUT_SEC bounds a warehouse call end to end: login, statement, the connector's own
retries and its cancel, whether the warehouse refuses connections or accepts them and never answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.warehouse import EmbeddedWarehouseServer, Warehouse, WarehouseUnavailable
from bot.warehouse.params import embedded_params
from tests.fakes.silent_server import silent_server

TIMEOUT = 3
# scheduling and the connector's whole-second arithmetic; far below what one more retry would add
SLACK_SEC = 1.5
# the cancel a timed-out statement sends fails too, on the connector's timer thread; the bot logs it in one
# line (bot/logs.py), pytest would report it as a warning
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")


@pytest.fixture
def timeout_settings(tmp_path: Path) -> Settings:
    return load_settings(agentops_data_dir=tmp_path / "wh", warehouse_timeout_sec=TIMEOUT, warehouse_retries=2)


@pytest.fixture
def server(timeout_settings: Settings) -> Iterator[EmbeddedWarehouseServer]:
    running = EmbeddedWarehouseServer(timeout_settings.agentops_data_dir, "AGENTOPS", "PUBLIC").start()
    yield running
    running.stop()


def _warehouse(settings: Settings, port: int) -> Warehouse:
    return Warehouse(embedded_params(settings, "127.0.0.1", port), timeout_sec=TIMEOUT, retries=2, describe="test")


def _timed_failure(warehouse: Warehouse) -> tuple[float, str]:
    started = time.monotonic()
    with pytest.raises(WarehouseUnavailable) as raised:
        warehouse.query("SELECT 1 AS one")
    return time.monotonic() - started, str(raised.value)


def test_a_warehouse_that_never_answers_fails_within_the_timeout(timeout_settings: Settings) -> None:
    with silent_server() as port:
        warehouse = _warehouse(timeout_settings, port)
        elapsed, message = _timed_failure(warehouse)  # at login: the connector's default would wait 60 s × 3
    assert elapsed < TIMEOUT + SLACK_SEC, elapsed
    assert message.startswith("warehouse unavailable (test)")


def test_a_warehouse_that_stops_after_login_fails_within_the_timeout(
        timeout_settings: Settings, server: EmbeddedWarehouseServer) -> None:
    warehouse = _warehouse(timeout_settings, server.port)
    assert warehouse.query("SELECT 1 AS one") == [{"one": 1}]
    server.stop()  # the session stays open on our side: the statement itself now meets the outage
    elapsed, _ = _timed_failure(warehouse)
    assert elapsed < TIMEOUT + SLACK_SEC, elapsed


def test_a_warehouse_that_freezes_after_login_releases_the_next_caller_within_the_timeout(
        timeout_settings: Settings, server: EmbeddedWarehouseServer) -> None:
    warehouse = _warehouse(timeout_settings, server.port)
    assert warehouse.query("SELECT 1 AS one") == [{"one": 1}]
    port = server.port
    server.stop()
    with silent_server(port):  # same address, now accepting and never answering
        results: list[tuple[float, str]] = []
        # two callers share the one connection (one statement at a time): the second must not wait
        # out the first's whole call and then its own from scratch, nor the cancel the first sent
        callers = [threading.Thread(target=lambda: results.append(_timed_failure(warehouse))) for _ in range(2)]
        started = time.monotonic()
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(4 * TIMEOUT)
        total = time.monotonic() - started
    assert len(results) == 2
    assert all(elapsed < TIMEOUT + SLACK_SEC for elapsed, _ in results), results
    assert total < TIMEOUT + SLACK_SEC, total


def test_the_warehouse_answers_again_after_an_outage(timeout_settings: Settings,
                                                     server: EmbeddedWarehouseServer) -> None:
    warehouse = _warehouse(timeout_settings, server.port)
    assert warehouse.query("SELECT 1 AS one") == [{"one": 1}]
    port = server.port
    server.stop()
    _timed_failure(warehouse)
    again = EmbeddedWarehouseServer(timeout_settings.agentops_data_dir, "AGENTOPS", "PUBLIC", port=port).start()
    try:
        assert warehouse.query("SELECT 2 AS two") == [{"two": 2}]
    finally:
        warehouse.close()
        again.stop()
