"""The `agentops` command as a user runs it: a real subprocess, real exit codes, no tracebacks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.warehouse import open_warehouse
from tests.helpers.processes import agentops
from tests.helpers.warehouses import REAL_NOW, seeded_data_dir


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = agentops("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "seed" in result.stdout and "run" in result.stdout


def test_the_demo_world_is_loaded_only_by_the_commands_that_use_it(tmp_path: Path) -> None:
    # the import contracts allow bot.cli to import seed/; this checks that it does so lazily
    probe = ("import sys, bot.cli, bot.runtime; bot.cli.build_parser().parse_args(['run']); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'seed'))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert loaded.returncode == 0 and loaded.stdout.strip() == "[]", loaded.stderr


def test_the_embedded_warehouse_leaves_nothing_in_the_temp_dir(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = agentops("seed", "--scenario", "healthy", cwd=tmp_path, TMPDIR=str(scratch))
    assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []  # fakesnow's stage directory included


def test_version_says_which_agentops(tmp_path: Path) -> None:
    result = agentops("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("agentops 0.")


def test_seed_drift_leaves_the_demo_state(tmp_path: Path) -> None:
    result = agentops("seed", "--scenario", "drift", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "classifier_v2 v2.4.0: F1 0.8" in result.stdout
    assert "classifier_v2 top feature PSI: V14 0.80, V17 0.60" in result.stdout
    assert result.stderr == ""
    # read it back through the connector, as the bot will
    with open_warehouse(load_settings(agentops_data_dir=tmp_path / ".agentops")) as warehouse:
        latest = warehouse.query("SELECT drift_score FROM MODEL_METRICS WHERE model_name = 'classifier_v2' "
                                 "ORDER BY timestamp DESC LIMIT 1")
        count = warehouse.query("SELECT COUNT(*) AS n FROM MODEL_METRICS")[0]["n"]
    assert latest[0]["drift_score"] == pytest.approx(0.45, abs=0.02)
    assert count > 100


def test_seeding_twice_asks_for_reset(tmp_path: Path) -> None:
    seeded_data_dir(tmp_path / ".agentops", "healthy", REAL_NOW)  # the first seeding, as test_seed_drift… checks
    again = agentops("seed", "--scenario", "drift", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip().endswith("add --reset to replace them with scenario 'drift'")
    assert agentops("seed", "--scenario", "drift", "--reset", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [("MONITOR_POLL_INTERVAL_SEC", "abc"), ("DATABASE_URL", "nonsense://"), ("APPROVAL_TIMEOUT_SEC", "-5")],
)
def test_bad_config_is_one_line_naming_the_variable(tmp_path: Path, name: str, value: str) -> None:
    result = agentops("seed", "--scenario", "drift", cwd=tmp_path, **{name: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"agentops: configuration error: {name}: ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".agentops").exists()  # nothing was started or written


def test_bad_config_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("AGENTOPS_APPROVERS=alice\n")
    result = agentops("seed", "--scenario", "drift", cwd=tmp_path)
    assert result.returncode == 2 and "AGENTOPS_APPROVERS: expected comma-separated" in result.stderr


def test_unknown_scenario_is_a_usage_error(tmp_path: Path) -> None:
    result = agentops("seed", "--scenario", "meteor", cwd=tmp_path)
    assert result.returncode == 2 and "invalid choice: 'meteor'" in result.stderr


def test_seeding_a_configured_warehouse_needs_remote(tmp_path: Path) -> None:
    result = agentops("seed", "--scenario", "drift", cwd=tmp_path, SNOWFLAKE_ACCOUNT="xy12345", SNOWFLAKE_USER="BOT")
    assert result.returncode == 1 and "add --remote" in result.stderr


def test_unreachable_warehouse_is_one_line(tmp_path: Path) -> None:
    result = agentops("seed", "--scenario", "drift", "--remote", cwd=tmp_path, SNOWFLAKE_ACCOUNT="xy12345",
                      SNOWFLAKE_USER="BOT", SNOWFLAKE_PASSWORD="pw-secret-123", SNOWFLAKE_HOST="127.0.0.1",
                      SNOWFLAKE_PORT="9", SNOWFLAKE_PROTOCOL="http", WAREHOUSE_TIMEOUT_SEC="2", WAREHOUSE_RETRIES="0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("agentops: warehouse unavailable (127.0.0.1:9)")
    assert "Traceback" not in result.stderr and "pw-secret-123" not in result.stderr


def test_python_dash_m_bot_and_the_console_script_agree(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "agentops"
    if not script.exists():
        pytest.skip("the console script is installed by `pip install -e .`; not present in this environment")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == agentops("--help", cwd=tmp_path).stdout
