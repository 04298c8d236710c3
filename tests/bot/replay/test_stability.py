"""`agentops stability`: every scenario (here the smoke pair) x every perturbation, a table, a heatmap PNG,
and a scenario that flips named with the threshold it crossed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from agents.knowledge import KnowledgeBase
from bot.config import Settings
from bot.replay.engine import Outcome
from bot.replay.heatmap import heatmap
from bot.replay.perturb import KINDS
from bot.replay.stability import as_json, scenario_stability, table
from tests.helpers.processes import agentops
from tests.helpers.replay import recorded_demo


def test_the_smoke_run_tables_both_scenarios_and_draws_the_heatmap(tmp_path: Path) -> None:
    result = agentops("stability", "--smoke", "--json", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["scenario"] for s in data["scenarios"]] == ["drift", "healthy"] and data["runs_per_cell"] == 3
    drift = data["scenarios"][0]
    assert drift["request"] == "model_drift:classifier_v2"  # the alert the sweep raised, as on-call would ask
    assert drift["original"] == {"category": "distribution_shift", "gated": ["retrain_model", "rollback_model"],
                                 "confidence": 0.85}
    # the offline investigator is code: paraphrase and reordering never move it; the demo's noise is far from
    # any threshold, so neither does jitter within it
    assert all(s["stability"] == {"text": 1.0, "metrics": 1.0, "order": 1.0} for s in data["scenarios"])
    assert drift["nearest_threshold"].startswith("classifier_v2 f1_score 0.818 is ")
    png = Path(data["heatmap"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    plain = agentops("stability", "--smoke", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert "drift     distribution_shift [retrain_model, rollback_model]" in plain.stdout
    assert "Heatmap: " in plain.stdout
    bad = agentops("stability", "--n", "0", cwd=tmp_path)
    assert (bad.returncode, bad.stderr.strip()) == (
        1, "agentops: --n must be between 1 and 200 (runs per scenario and perturbation), not 0")


def test_a_scenario_that_flips_is_named_with_its_threshold(tmp_path: Path, now: datetime, settings: Settings) -> None:
    with recorded_demo(tmp_path, now) as (_d, _id, record):
        record.noise["classifier_v2"]["drift_score"] = 0.2  # a component this noisy sits near model_drift 0.3
        original = Outcome("distribution_shift", ("retrain_model", "rollback_model"), 0.85)
        result = scenario_stability("drift", record, original, list(KINDS), 20, 0, KnowledgeBase(), settings)
    assert result.replays["text"].stability == result.replays["order"].stability == 1.0
    assert result.replays["metrics"].stability < 1.0
    assert result.flips == ["classifier_v2 model_drift critical 0.3"] and result.unexplained == 0
    assert "drift: flips at classifier_v2 model_drift critical 0.3" in table([result], list(KINDS))
    assert as_json([result])[0]["flips_at"] == ["classifier_v2 model_drift critical 0.3"]
    assert heatmap([result], list(KINDS), "one scenario")[:4] == b"\x89PNG"
