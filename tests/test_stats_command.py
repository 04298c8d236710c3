"""`agentops stats` as a user runs it (a real subprocess) on the default embedded store: a planned history
of 200 incidents over 60 days gives exactly the figures worked out from the plan."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.store import open_store
from tests.helpers.expected_stats import expected_stats
from tests.helpers.history import plan_history, write_history
from tests.helpers.processes import agentops


@pytest.fixture
def history_dir(tmp_path: Path) -> tuple[Path, list]:
    now = datetime.now(UTC)
    plan = plan_history(now)
    store = open_store(load_settings(agentops_data_dir=tmp_path / ".agentops").state_database_url)
    try:
        write_history(store, plan)
    finally:
        store.close()
    return tmp_path, plan


@pytest.mark.parametrize("days", ["30", "60"])
def test_stats_json_gives_the_plans_figures(history_dir: tuple[Path, list], days: str) -> None:
    cwd, plan = history_dir
    result = agentops("stats", "--days", days, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # the command reads its own clock: the window it reports is the one the plan's figures are worked out for
    until = datetime.fromisoformat(report["until"]).replace(tzinfo=UTC)
    assert report == expected_stats(plan, until, int(days))
    assert report["incidents"] > 90 and report["auto_fix_rate"] is not None


def test_stats_prints_a_table_with_units(history_dir: tuple[Path, list]) -> None:
    cwd, _plan = history_dir
    result = agentops("stats", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "time to" in result.stdout and " %" in result.stdout and "$0.0" in result.stdout
    detect = next(line for line in result.stdout.splitlines() if line.strip().startswith("detect"))
    assert "m " in detect  # "5m 02s": the planned times to detect run from 30 s to 10 min


@pytest.mark.parametrize("days", ["0", "thirty", "-3", "99999", "²"])
def test_bad_days_say_what_to_give(tmp_path: Path, days: str) -> None:
    result = agentops("stats", "--days", days, cwd=tmp_path)
    assert result.returncode == 2
    assert "give a whole number from 1 to 3650" in result.stderr and "Traceback" not in result.stderr
