"""Seeded embedded warehouses, seeded once per test run and copied per test.

Seeding a scenario costs about a second (fifteen bulk statements through fakesnow); copying the
DuckDB files of one seeded the same way costs milliseconds. A copy is a warehouse of its own, so
tests that write to it (a resolved incident, a recovered model) never see each other's rows.
The parallel workers of one run share the seeded originals: the first to need one seeds it, under
a file lock, and the others copy it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import naive_utc
from bot.config import load_settings
from bot.warehouse import open_warehouse
from seed.loader import seed


def start_run() -> None:
    """In the run's first process, before any worker starts (conftest's pytest_configure): the values its
    workers share, passed on in their environment."""
    os.environ.setdefault("AGENTOPS_TEST_RUN", f"{os.getpid()}")
    os.environ.setdefault("AGENTOPS_TEST_REAL_NOW", datetime.now(UTC).replace(microsecond=0).isoformat())


start_run()  # a no-op in workers, which inherit both (read here, at import: tests run with a cleaned environment)
# for tests whose processes read with the real clock: one "now" per run, so they share originals
# (its data stays fresh: STALE_AFTER is hours, a test run minutes)
REAL_NOW = datetime.fromisoformat(os.environ["AGENTOPS_TEST_REAL_NOW"])
# where this run keeps its seeded originals: shared by its parallel workers, removed when the run ends
ORIGINALS = Path(tempfile.gettempdir()) / f"agentops-seeded-{os.environ['AGENTOPS_TEST_RUN']}"


def seeded_data_dir(data_dir: Path, scenario: str, now: datetime) -> Path:
    """Fill `data_dir` with an embedded warehouse holding `scenario` seeded at `now`.

    Call it while no embedded warehouse is open in this process (there can be only one)."""
    originals = ORIGINALS
    originals.mkdir(exist_ok=True)
    original = originals / f"{scenario}-{now.strftime('%Y%m%dT%H%M%S%z')}"
    with (originals / f"{original.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker seeds it; the others wait, then copy
        if not original.exists():
            seeding = originals / f"{original.name}.seeding"
            with open_warehouse(load_settings(agentops_data_dir=seeding)) as warehouse:
                seed(warehouse, scenario, naive_utc(now), reset=True)
            seeding.rename(original)  # complete, or absent
    shutil.copytree(original, data_dir, dirs_exist_ok=True)
    return data_dir
