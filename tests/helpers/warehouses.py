"""Seeded embedded warehouses, seeded once per test process and copied per test.

Seeding a scenario costs about a second (fifteen bulk statements through fakesnow); copying the
DuckDB files of one seeded the same way costs milliseconds. A copy is a warehouse of its own, so
tests that write to it (a resolved incident, a recovered model) never see each other's rows.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import naive_utc
from bot.config import load_settings
from bot.warehouse import open_warehouse
from seed.loader import seed

_templates: dict[tuple[str, datetime], Path] = {}
# for tests whose processes read with the real clock: one "now" per test process, so they share templates
# (its data stays fresh: STALE_AFTER is hours, a test run minutes)
REAL_NOW = datetime.now(UTC).replace(microsecond=0)


def seeded_data_dir(data_dir: Path, scenario: str, now: datetime) -> Path:
    """Fill `data_dir` with an embedded warehouse holding `scenario` seeded at `now`.

    Call it while no embedded warehouse is open in this process (there can be only one)."""
    key = (scenario, now)
    if key not in _templates:
        template = Path(tempfile.mkdtemp(prefix=f"agentops-{scenario}-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        with open_warehouse(load_settings(agentops_data_dir=template)) as warehouse:
            seed(warehouse, scenario, naive_utc(now), reset=True)
        _templates[key] = template
    shutil.copytree(_templates[key], data_dir, dirs_exist_ok=True)
    return data_dir
