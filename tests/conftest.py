"""Shared fixtures: a clean environment, an embedded warehouse, and state stores on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.warehouse import Warehouse, open_warehouse
from tests.helpers.processes import shared_warehouse as serve_warehouse
from tests.helpers.slack_bot import running_bot, slack  # noqa: F401  (fixtures shared by the Slack tests)
from tests.helpers.warehouses import ORIGINALS, seeded_data_dir

# Every variable Settings reads, plus the ones the connector and SDKs read on their own.
_ENV_PREFIXES = ("SLACK_", "ANTHROPIC_", "SNOWFLAKE_", "AGENTOPS_", "GITHUB_", "DATABASE_URL", "ML_SERVICE_",
                 "MONITOR_", "ACTION_", "TRAINING_", "REPEAT_INTERVAL", "STALE_AFTER", "APPROVAL_", "HEALTH_PORT",
                 "LOG_", "AGENT_", "WAREHOUSE_", "RUNBOOKS_DIR", "INCIDENTS_DIR", "SWEEP_LOOKBACK",
                 "ESCALATION_", "SMTP_", "PAGERDUTY_", "PAGING_",
                 "AUTO_INVESTIGATE", "INVESTIGATION_",
                 "INGEST_")
POSTGRES_URL = os.environ.get("AGENTOPS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the run's first process, after every worker has finished
        shutil.rmtree(ORIGINALS, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first: run last, one of them would keep a worker busy while the other sits idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's settings or the repo's .env: empty env, cwd in a temp dir."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES) and name != "AGENTOPS_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """A test that configures logging (the CLI in-process) leaves a handler on pytest's captured stderr, closed
    once the test ends; later tests' log lines would then fail to write. Put root logging back as it was."""
    root = logging.getLogger()
    handlers, level, excepthook = root.handlers[:], root.level, threading.excepthook
    yield
    root.handlers[:], threading.excepthook = handlers, excepthook
    root.setLevel(level)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(agentops_data_dir=tmp_path / ".agentops", warehouse_timeout_sec=10)


@pytest.fixture
def warehouse(settings: Settings) -> Iterator[Warehouse]:
    with open_warehouse(settings) as wh:
        yield wh


@pytest.fixture
def seeded_warehouse(settings: Settings, now: datetime) -> Iterator[Callable[..., Warehouse]]:
    """open_seeded(scenario="drift", at=now): a fresh embedded warehouse holding that scenario, copied from
    one seeded once per test process. Opening another closes the one before (one per process)."""
    opened: list[Warehouse] = []

    def open_seeded(scenario: str = "drift", at: datetime | None = None) -> Warehouse:
        while opened:
            opened.pop().close()
        data_dir = settings.agentops_data_dir / f"{scenario}-{uuid.uuid4().hex[:6]}"
        seeded_data_dir(data_dir, scenario, at or now)
        opened.append(open_warehouse(settings.model_copy(update={"agentops_data_dir": data_dir})))
        return opened[-1]

    yield open_seeded
    while opened:
        opened.pop().close()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _postgres_schema_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server, dropped afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_URL, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as error:
        reason = f"no PostgreSQL at {POSTGRES_URL} ({str(error).strip().splitlines()[0]})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI requires it (start it with pg_ctlcluster … main start)")
        pytest.skip(f"{reason}; set AGENTOPS_TEST_POSTGRES_URL to run the PostgreSQL tests")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in POSTGRES_URL else "?"
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same store tests run against both backends."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server, for processes that share one store."""
    yield from _postgres_schema_url()


@pytest.fixture
def shared_warehouse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`agentops warehouse serve` for tests with several agentops processes; its SNOWFLAKE_* settings."""
    with serve_warehouse(tmp_path) as env:
        yield env

