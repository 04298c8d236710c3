"""What people see during an outage: /agentops status answers from the last reading, at once and saying
how old it is; App Home and status say the state store is unreachable instead of going quiet."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from seed.slack import SlackStandIn
from tests.fakes.tcp_proxy import TcpProxy
from tests.helpers.processes import seed_served, serve_warehouse_on, served_at, stop
from tests.helpers.slack_bot import bot_running, free_port

TIMEOUT = 6


def _status(slack: SlackStandIn) -> tuple[str, str, float]:
    before = len(slack.ephemerals())
    started = time.monotonic()
    slack.wait_ack(slack.slash_command("status"))
    answer = slack.wait_for(lambda: len(slack.ephemerals()) > before and slack.ephemerals()[before], timeout=30)
    return answer.text, slack.render_blocks(answer), time.monotonic() - started


# the connector's cancel of a statement the outage timed out fails on its timer thread (see test_timeout)
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_status_during_a_warehouse_outage_answers_at_once_from_the_last_reading(slack: SlackStandIn,
                                                                                tmp_path: Path) -> None:
    port = free_port()
    server = serve_warehouse_on(tmp_path, port)
    try:
        seed_served(served_at(port), "drift")
        settings = {k.lower(): v for k, v in served_at(port).items()}
        with bot_running(slack, tmp_path / "bot", datetime.now(UTC), warehouse_timeout_sec=TIMEOUT,
                         **settings) as bot:
            _, shown, _ = _status(slack)
            assert "🔴 *classifier_v2*" in shown and "Warehouse unavailable" not in shown
            read_at = bot.clock.now()
            stop(server)
            bot.tick(timedelta(minutes=3))  # the sweep meets the outage (within the timeout) and says so
            text, shown, waited = _status(slack)
            assert waited < TIMEOUT / 2, f"status waited {waited:.1f} s for the warehouse"
            assert f"⚠️ *Warehouse unavailable* — warehouse unavailable (127.0.0.1:{port}): 250003: connection refused" \
                in shown  # the connector's words, without its pool, URL and request ids
            assert f"Showing the last reading, from {read_at:%Y-%m-%d %H:%M} UTC" in shown
            assert "🔴 *classifier_v2*" in shown  # the numbers last read, not an empty answer
            assert text.endswith("(warehouse unavailable; last reading 3 minutes old)")
            server = serve_warehouse_on(tmp_path, port)
            bot.tick(timedelta(minutes=1))  # the warehouse answers the sweep again
            _, shown, _ = _status(slack)
            assert "Warehouse unavailable" not in shown and "🔴 *classifier_v2*" in shown
    finally:
        stop(server)


@pytest.mark.postgres
def test_with_the_state_store_down_app_home_and_status_say_so(slack: SlackStandIn, tmp_path: Path,
                                                              postgres_url: str, now: datetime,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    target = make_url(postgres_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        through = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with bot_running(slack, tmp_path / "bot", now, database_url=through) as bot:
            bot.tick()  # the drift scenario's alerts are posted and stored
            proxy.cut()
            slack.wait_ack(slack.open_home())
            home = slack.render_blocks(slack.wait_for(lambda: slack.ws.views.get("U0ONCALL"), timeout=30))
            assert "⚠️ *State store unreachable* — firing alerts, approvals, incidents and investigations" in home
            assert "🟢 warehouse · 🔴 state store · 🟢 Slack connection" in home
            assert "🔴 *classifier_v2*" in home  # the warehouse still answers
            assert "None — all quiet." not in home  # unknown is not "none"
            text, shown, _ = _status(slack)
            assert "⚠️ *Firing alerts:* unknown — the state store is unreachable" in shown
            assert text.endswith("; firing alerts unknown")
            before = len(slack.ephemerals())
            slack.wait_ack(slack.slash_command("alerts"))
            told = slack.wait_for(lambda: len(slack.ephemerals()) > before and slack.ephemerals()[before])
            assert told.text.startswith("I can't reach the state store, so `/agentops alerts` did nothing.")
            slack.wait_ack(slack.slash_command("stats"))
            told = slack.wait_for(lambda: len(slack.ephemerals()) > before + 1 and slack.ephemerals()[before + 1])
            assert told.text.startswith("I can't reach the state store, so `/agentops stats` did nothing.")
            assert not [r for r in caplog.records if r.exc_info], "an outage is a line, not a traceback"
            probes = f"http://127.0.0.1:{bot.deps.settings.health_port}"
            ready = httpx.get(f"{probes}/readyz", timeout=5)
            assert ready.status_code == 503 and ready.json()["down"] == ["state_store"]
            assert httpx.get(f"{probes}/healthz", timeout=5).status_code == 200
            proxy.restore()
            bot.clock.advance(timedelta(seconds=10))  # past the reuse of the last ping
            assert httpx.get(f"{probes}/readyz", timeout=5).status_code == 200
            slack.ws.views.clear()
            slack.wait_ack(slack.open_home())
            home = slack.render_blocks(slack.wait_for(lambda: slack.ws.views.get("U0ONCALL"), timeout=30))
            assert "🟢 state store" in home and "*Firing alerts*" in home
