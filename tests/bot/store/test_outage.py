"""A state store outage is one warning line per kind of failure per minute, not a traceback per sweep,
expiry pass or request; the bot says once when the store answers again."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import exc
from sqlalchemy.engine import make_url

from bot.monitor.monitor import Monitor
from bot.store.outage import StoreOutageLog, is_store_outage
from tests.fakes.tcp_proxy import TcpProxy
from tests.helpers.domain import domain


def _through(proxy: TcpProxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def _store_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "agentops.store"]


@pytest.mark.postgres
def test_a_postgres_outage_is_one_warning_a_minute_not_a_traceback_per_sweep(
        postgres_url: str, tmp_path: Path, now: datetime, caplog: pytest.LogCaptureFixture) -> None:
    target = make_url(postgres_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy, \
            domain(tmp_path / "wh", now, database_url=_through(proxy, postgres_url)) as world:
        monitor = Monitor(world.deps, "test")
        assert len(asyncio.run(monitor.tick())) > 0  # the drift scenario fires, and is stored
        proxy.cut()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            for _ in range(9):  # three minutes of sweeps every 20 s
                world.clock.advance(timedelta(seconds=20))
                asyncio.run(monitor.tick())
        lines = _store_lines(caplog)
        assert [r.levelname for r in lines] == ["WARNING"] * 3, [r.getMessage() for r in lines]
        assert all(r.getMessage().startswith("state store unreachable while recording a sweep's alerts: ")
                   for r in lines)
        assert "2 more failure(s) like it in the last minute" in lines[1].getMessage()
        assert not [r for r in caplog.records if r.exc_info], "no traceback for an outage"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        proxy.restore()
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="agentops.store"):
            world.clock.advance(timedelta(seconds=20))
            asyncio.run(monitor.tick())
            world.clock.advance(timedelta(seconds=20))
            asyncio.run(monitor.tick())
        assert [r.getMessage() for r in _store_lines(caplog)] == ["state store reachable again"]


def _outage(reason: str) -> exc.OperationalError:
    return exc.OperationalError("SELECT 1", {}, Exception(reason))


def test_each_kind_of_failure_is_said_once_a_minute(caplog: pytest.LogCaptureFixture, now: datetime) -> None:
    outages = StoreOutageLog()
    with caplog.at_level(logging.WARNING, logger="agentops.store"):
        for second in range(0, 120, 10):
            at = now + timedelta(seconds=second)
            # the same failure from different connections (ports differ) is one kind; a timeout another
            outages.report(_outage(f"connection to server at 127.0.0.1, port {5432 + second} refused"), "a sweep", at)
            outages.report(_outage("timeout expired"), "an expiry pass", at)
    said = [r.getMessage() for r in _store_lines(caplog)]
    assert len(said) == 4, said
    assert sum("refused" in line for line in said) == 2 and sum("timeout expired" in line for line in said) == 2


def test_only_outages_are_quietened() -> None:
    assert is_store_outage(_outage("could not connect to server"))
    assert is_store_outage(exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"))
    assert not is_store_outage(exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_store_outage(ValueError("a bug keeps its traceback"))
    assert not StoreOutageLog().reported(KeyError("bug"), "a sweep", datetime.now())
