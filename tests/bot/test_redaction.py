"""An upstream that echoes a secret never gets it shown: a warehouse whose login error quotes the
password reaches the outage alert, /agentops status, the state store and `agentops check`'s stderr
with the password masked."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli import main
from bot.config import load_settings
from bot.http_site import start_site
from bot.monitor.monitor import Monitor
from bot.runtime import build_deps, close_deps
from tests.helpers.announcer import MemoryAnnouncer

PASSWORD = "hunter22-very-secret"


@pytest.fixture
def echoing_warehouse() -> Iterator[int]:
    """A Snowflake login endpoint that refuses every login, quoting the request back (some proxies do)."""
    async def login(request: web.Request) -> web.Response:
        body = json.loads(await request.read() or b"{}")
        sent = body.get("data", {})
        return web.json_response({"data": None, "code": "390100", "success": False, "message": (
            f"Incorrect username or password was specified: {sent.get('LOGIN_NAME')}/{sent.get('PASSWORD')}")})

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    app = web.Application()
    app.router.add_post("/session/v1/login-request", login)
    runner, port = asyncio.run_coroutine_threadsafe(start_site(app, "127.0.0.1", 0), loop).result(10)
    yield port
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def warehouse_env(port: int) -> dict[str, str]:
    return {"SNOWFLAKE_ACCOUNT": "acme", "SNOWFLAKE_USER": "agentops", "SNOWFLAKE_PASSWORD": PASSWORD,
            "SNOWFLAKE_HOST": "127.0.0.1", "SNOWFLAKE_PORT": str(port), "SNOWFLAKE_PROTOCOL": "http",
            "WAREHOUSE_RETRIES": "0", "WAREHOUSE_TIMEOUT_SEC": "5"}


def test_an_echoed_password_is_masked_in_alerts_status_and_the_store(echoing_warehouse: int, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in warehouse_env(echoing_warehouse).items():
        monkeypatch.setenv(name, value)
    announcer = MemoryAnnouncer()
    deps = build_deps(load_settings(agentops_data_dir=tmp_path), announcer)
    try:
        [outage] = asyncio.run(Monitor(deps, "test").tick())
        assert outage.fingerprint == "data_quality:warehouse"
        [posted] = announcer.of("alert_posted")
        [stored] = posted.details["alerts"]
        shown = [stored.message, json.dumps(stored.metrics), deps.fleet.get_or_reason()[1] or ""]
        assert "Incorrect username or password" in shown[0]  # the upstream's words are kept
        for text in [*shown, json.dumps([a.message for a in deps.store.alerts.list_firing()])]:
            assert PASSWORD not in text and "***" in text
    finally:
        close_deps(deps)


def test_an_echoed_password_is_masked_on_stderr(echoing_warehouse: int, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in warehouse_env(echoing_warehouse).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AGENTOPS_DATA_DIR", str(tmp_path))
    assert main(["check"]) != 0
    err = capsys.readouterr().err
    assert "warehouse unavailable" in err and PASSWORD not in err
