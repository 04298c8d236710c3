"""The demo scenarios, each seeded into an embedded warehouse of its own in a temporary directory, for
`agentops stability`: never the configured warehouse, so no demo row lands in a real account."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.clock import naive_utc
from bot.config import Settings
from bot.warehouse import Warehouse, open_warehouse
from seed.loader import seed
from seed.scenarios import SCENARIOS

SMOKE = ("drift", "healthy")
DEFAULT_COMPONENT = "classifier_v2"  # a scenario that moves nothing (healthy) is asked about the demo's model


def scenario_names(smoke: bool) -> list[str]:
    return list(SMOKE) if smoke else list(SCENARIOS)


def component_of(scenario: str) -> str:
    """The model or pipeline the scenario's event moves."""
    effects = SCENARIOS[scenario].effects
    return effects[0].component if effects else DEFAULT_COMPONENT


@contextmanager
def seeded(scenario: str, settings: Settings, now: datetime) -> Iterator[Warehouse]:
    """An embedded warehouse holding `scenario` seeded at `now`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"agentops-stability-{scenario}-") as data_dir:
        embedded = settings.model_copy(update={"agentops_data_dir": Path(data_dir), "snowflake_account": "",
                                               "snowflake_host": ""})
        with open_warehouse(embedded) as warehouse:
            seed(warehouse, scenario, naive_utc(now), reset=True)
            yield warehouse
