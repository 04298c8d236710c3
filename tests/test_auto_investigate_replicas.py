"""AUTO_INVESTIGATE=all on three `agentops run` processes sharing PostgreSQL: 50 alerts arriving at
once become exactly 50 investigations, each diagnosis posted once in its alert's thread.

Where the alerts come from is a parameter (`alert_source`): each source starts the replicas with the
settings it needs, makes the 50 alerts arrive, and says what each diagnosis must have checked — the
warehouse's breaches get the full toolset, ingested alerts on components the warehouse does not
measure get a diagnosis that says what it could and could not check."""

from __future__ import annotations

import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import httpx
import pytest

from agents.external import NOT_CHECKED
from bot.store import open_store
from seed.slack import SlackStandIn
from tests.helpers.breaches import breaching_models, seed_breaches
from tests.helpers.ingest import BEARER, TOKEN, am_alert, am_notification
from tests.helpers.processes import seed_served
from tests.helpers.processes import start_bot as start
from tests.helpers.slack_bot import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REPLICAS, ALERTS = 3, 50


class AlertSource(Protocol):
    investigators: int | None  # how many replicas must have run investigations, when the source decides it

    def settings(self) -> dict[str, str]:
        """What each replica needs to receive alerts from this source."""

    def fire(self, components: list[str], ports: list[int]) -> None:
        """Make one alert per component arrive at once (`ports`: each replica's HTTP port)."""

    def check(self, diagnosis: str) -> None:
        """What a diagnosis (rendered) of one of these alerts must say."""


class WarehouseBreaches:
    """Components breaching in the shared embedded warehouse, found by the replicas' sweeps."""

    investigators = None  # whichever replicas' sweeps post first

    def __init__(self, snowflake_env: dict[str, str]) -> None:
        self.snowflake_env = snowflake_env
        seed_served(snowflake_env, "healthy")  # a fleet with nothing wrong until the storm

    def settings(self) -> dict[str, str]:
        return {"MONITOR_POLL_INTERVAL_SEC": "0.5"}

    def fire(self, components: list[str], ports: list[int]) -> None:
        assert seed_breaches(self.snowflake_env, components) > 0

    def check(self, diagnosis: str) -> None:
        assert "Not checked" not in diagnosis  # a component the warehouse measures: the full toolset


class IngestedAlerts:
    """Alertmanager notifications, one per component (a group each), POSTed to the replicas' ingest
    endpoints all at once and spread across them as a load balancer would; the replica that posts an
    alert claims its investigation, so every replica investigates some."""

    investigators = REPLICAS

    def __init__(self, snowflake_env: dict[str, str]) -> None:
        seed_served(snowflake_env, "healthy")  # the warehouse measures none of the alerting components

    def settings(self) -> dict[str, str]:
        return {"INGEST_TOKEN": TOKEN}

    def fire(self, components: list[str], ports: list[int]) -> None:
        def send(n: int) -> int:
            component = components[n]
            note = am_notification(am_alert("HighLatency", model=component), group_key=f'{{}}:{{model="{component}"}}')
            url = f"http://127.0.0.1:{ports[n % len(ports)]}/ingest/alertmanager"
            with httpx.Client(timeout=30) as client:
                for _ in range(5):  # a 503 says "retry": Alertmanager would
                    answer = client.post(url, json=note, headers=BEARER)
                    if answer.status_code != 503:
                        break
            assert answer.status_code == 200, answer.text
            assert answer.json()["firing"] == [f"HighLatency:{component}"]

        with ThreadPoolExecutor(len(components)) as pool:
            list(pool.map(send, range(len(components))))

    def check(self, diagnosis: str) -> None:
        assert "Not checked:" in diagnosis and NOT_CHECKED in diagnosis  # what it could not check...
        assert "Checked: the " in diagnosis and "Checked the runbooks" in diagnosis  # ...and what it could


SOURCES: dict[str, type] = {"warehouse": WarehouseBreaches, "ingest": IngestedAlerts}


@pytest.fixture(params=sorted(SOURCES))
def alert_source(request: pytest.FixtureRequest, shared_warehouse: dict[str, str]) -> AlertSource:
    return SOURCES[request.param](shared_warehouse)


def diagnoses(slack: SlackStandIn) -> list:
    with slack.ws.changed:
        return [m for m in slack.ws.messages
                if m.thread_ts and m.channel == "C0MLALERTS" and m.text.startswith("Diagnosis for")]


def diagnoses_by_thread(slack: SlackStandIn) -> Counter:
    return Counter(m.thread_ts for m in diagnoses(slack))


def test_fifty_alerts_at_once_on_three_replicas_are_each_investigated_once(
        tmp_path: Path, slack: SlackStandIn, postgres_url: str, shared_warehouse: dict[str, str],
        alert_source: AlertSource) -> None:
    ports = [free_port() for _ in range(REPLICAS)]
    replicas = [start(tmp_path, slack, DATABASE_URL=postgres_url, HEALTH_PORT=str(port), LOG_LEVEL="ERROR",
                      AUTO_INVESTIGATE="all", INVESTIGATION_LEASE_SEC="10",
                      **shared_warehouse | alert_source.settings()) for port in ports]
    store = open_store(postgres_url)
    components = breaching_models(ALERTS)
    try:
        slack.wait_for(lambda: len(slack.link.open) == REPLICAS, timeout=60)
        fired_at = time.monotonic()
        alert_source.fire(components, ports)
        slack.wait_for(lambda: sum(diagnoses_by_thread(slack).values()) >= ALERTS, timeout=300)
        all_diagnosed = time.monotonic() - fired_at
        time.sleep(2)  # a second diagnosis of any of them would arrive by now
        investigations = [i for i in store.investigations.recent(limit=500) if i.component in components]
        posts = {a.component: a.slack_ts for a in store.alerts.list_firing() if a.component in components}
    finally:
        for process in replicas:
            process.send_signal(signal.SIGTERM)
        for process in replicas:
            process.communicate(timeout=60)
        store.close()
    owners = Counter(i.lease_owner for i in investigations)
    print(f"\n{ALERTS} alerts on {REPLICAS} replicas: all diagnosed {all_diagnosed:.1f} s after they arrived; "
          f"investigations per replica {sorted(owners.values())}")
    assert sorted(i.component for i in investigations) == sorted(components)  # exactly one each
    assert {(i.status, i.auto, i.attempts) for i in investigations} == {("done", True, 1)}
    assert alert_source.investigators in (None, len(owners))
    assert sorted(posts) == sorted(components)
    assert diagnoses_by_thread(slack) == Counter({ts: 1 for ts in posts.values()})
    for diagnosis in diagnoses(slack):
        alert_source.check(slack.render_blocks(diagnosis))
    with slack.ws.changed:  # each alert posted once
        headers = [m for m in slack.ws.messages if m.thread_ts is None and m.channel == "C0MLALERTS"
                   and any(c in m.text for c in components)]
    assert len(headers) == ALERTS and {m.ts for m in headers} == set(posts.values())
    # progress in place, as for a click: each thread's status line said it was investigating, then cleared
    statuses = {ts for _, ts, status in slack.ws.status_log if status.startswith("is investigating")}
    assert set(posts.values()) <= statuses and not set(posts.values()) & set(ts for _, ts in slack.ws.statuses)
    assert all(p.returncode == 0 for p in replicas)
