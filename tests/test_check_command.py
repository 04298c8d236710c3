"""`agentops check` on the seeded scenarios: as a user runs it, and every scenario against the rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.monitor.sweep import sweep
from bot.rules import RuleSet
from bot.warehouse import Warehouse
from tests.helpers.processes import agentops
from tests.helpers.warehouses import REAL_NOW, seeded_data_dir


def check(tmp_path: Path, scenario: str, **env: str) -> list[dict]:
    # seeded as `agentops seed` would (its own tests are in test_cli.py), at the real time `check` reads
    seeded_data_dir(tmp_path / ".agentops", scenario, REAL_NOW)
    result = agentops("check", "--json", cwd=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_drift_reports_drift_and_accuracy_for_classifier_v2_only(tmp_path: Path) -> None:
    alerts = {a["fingerprint"]: a for a in check(tmp_path, "drift")}
    assert set(alerts) == {"model_drift:classifier_v2", "accuracy_drop:classifier_v2"}
    drift = alerts["model_drift:classifier_v2"]
    assert drift["severity"] == "critical" and drift["alert_type"] == "model_drift"
    assert drift["affected_component"] == "classifier_v2"
    assert round(drift["metrics"]["drift_score"], 2) == 0.45
    assert drift["message"].startswith("classifier_v2: drift_score 0.4")
    assert alerts["accuracy_drop:classifier_v2"]["severity"] == "critical"


def test_healthy_reports_nothing_and_exits_zero(tmp_path: Path) -> None:
    assert check(tmp_path, "healthy") == []
    plain = agentops("check", cwd=tmp_path)
    assert plain.returncode == 0 and plain.stdout.startswith("nothing firing (5 models and pipelines checked)")


@pytest.mark.parametrize(("scenario", "fingerprints"), [
    ("null_spike", {"data_quality:transactions_ingest"}), ("latency_spike", {"latency:classifier_v2"}),
    ("latency_saturation", {"latency:classifier_v2"}),
    ("anomaly_spike", {"anomaly_spike:anomaly_v1"}), ("schema_change", {"data_quality:feature_pipeline"}),
    ("bad_deploy", {"accuracy_drop:classifier_v2"})])
def test_every_scenario_fires_what_its_runbook_covers(seeded_warehouse: Callable[..., Warehouse], now: datetime,
                                                      scenario: str, fingerprints: set[str]) -> None:
    assert {a.fingerprint for a in sweep(seeded_warehouse(scenario), RuleSet(), now).alerts} == fingerprints


def test_a_bad_rules_file_stops_check_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("defaults:\n  model_drift:\n    for: two\n")
    result = agentops("check", cwd=tmp_path, AGENTOPS_RULES_FILE=str(tmp_path / "rules.yaml"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("model_drift.for must be a whole number of measurements from 1 to 100, "
                                          "got 'two'")
