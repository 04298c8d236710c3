"""The replay's tool layer and its perturbations: answers only from the record, each perturbation
reproducible by its seed and changing only what it names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from agents.knowledge import KnowledgeBase
from agents.subject import resolve
from bot.config import Settings
from bot.replay.codec import decode
from bot.replay.engine import Outcome, replay
from bot.replay.perturb import Jitter, Reorder, perturb
from bot.replay.record import Call, Record
from bot.replay.tape import Lens, ReplayWarehouse
from bot.rules import RuleSet
from bot.warehouse import WarehouseError
from tests.helpers.replay import recorded_demo


def test_a_query_not_in_the_record_is_a_tool_error_never_the_live_warehouse() -> None:
    record = Record("classifier_v2", "model", "classifier_v2", "offline", datetime(2026, 11, 21, 12, 0), RuleSet(),
                    [Call("warehouse", "SELECT 1 AS one", None, [{"one": 1}])])
    tape = ReplayWarehouse(record)
    assert tape.query("SELECT 1 AS one") == [{"one": 1}]
    with pytest.raises(WarehouseError, match="not in the record: the query 'SELECT 2'"):
        tape.query("SELECT 2")


@pytest.fixture
def record(tmp_path: Path, now: datetime) -> Iterator[Record]:
    with recorded_demo(tmp_path, now) as (_d, _id, recorded):
        yield recorded


def _answer(record: Record, lens: Lens | None, where: str) -> list[dict]:
    """The rows a replay's tool gets for the first recorded query whose SQL contains `where`."""
    call = next(c for c in record.calls if where in c.op)
    tape = ReplayWarehouse(record, lens) if lens else ReplayWarehouse(record)
    return tape.query(call.op, decode(call.params))


def test_paraphrases_keep_the_component_and_are_reproducible_by_seed(record: Record) -> None:
    texts = [perturb(record, "text", seed).text for seed in range(40)]
    assert texts == [perturb(record, "text", seed).text for seed in range(40)]
    assert len(set(texts)) >= 15 and record.text not in texts
    known = {"classifier_v2": "model", "lstm_v1": "model", "anomaly_v1": "model", "transactions_ingest": "pipeline",
             "feature_pipeline": "pipeline"}
    assert {resolve(t, known).component for t in texts} == {"classifier_v2"}


def test_metric_jitter_stays_within_the_components_own_noise_and_agrees_across_queries(record: Record) -> None:
    latest_query = "ORDER BY timestamp DESC LIMIT 1"
    [recorded] = _answer(record, None, latest_query)
    [moved] = _answer(record, Jitter(record, 3), latest_query)
    assert _answer(record, Jitter(record, 3), latest_query) == [moved]  # the seed reproduces it
    assert _answer(record, Jitter(record, 4), latest_query) != [moved]
    spread = record.noise["classifier_v2"]
    for column in ("f1_score", "drift_score", "latency_p99_ms", "anomaly_rate"):
        assert moved[column] != recorded[column]
        assert abs(moved[column] - recorded[column]) <= spread[column]
    assert (moved["timestamp"], moved["model_version"]) == (recorded["timestamp"], recorded["model_version"])
    # the f1 trend's last point is the same measurement, moved the same way
    trend = _answer(record, Jitter(record, 3), "f1_score AS value")
    assert trend[-1]["timestamp"] == moved["timestamp"] and trend[-1]["value"] == moved["f1_score"]


def test_reordering_moves_only_what_the_query_leaves_unordered(record: Record) -> None:
    unordered = [[r["name"] for r in _answer(record, Reorder(seed), "SELECT DISTINCT pipeline_name")]
                 for seed in range(8)]
    assert len({tuple(names) for names in unordered}) > 1  # no ORDER BY: any order is the same answer
    trend = _answer(record, None, "f1_score AS value")
    for seed in range(8):
        assert _answer(record, Reorder(seed), "f1_score AS value") == trend  # ORDER BY timestamp fixes it
        psi = [r["psi_score"] for r in _answer(record, Reorder(seed), "FROM FEATURE_DRIFT")]
        assert psi == sorted(psi, reverse=True)


def test_every_divergence_under_jitter_names_the_threshold_it_crossed(record: Record, settings: Settings) -> None:
    # a component far noisier than the demo's: drift_score wobbling by 0.2 around 0.45 crosses critical 0.3
    record.noise["classifier_v2"]["drift_score"] = 0.2
    original = Outcome("distribution_shift", ("retrain_model", "rollback_model"), 0.85)
    result = replay(record, original, ["metrics"], 30, 0, KnowledgeBase(), settings)
    assert 0 < len(result.diverged) < 30
    for run in result.diverged:
        assert "because classifier_v2 drift_score 0.447 → " in run.divergence, run.divergence
        assert "fell below model_drift critical 0.3" in run.divergence
    assert result.stability == 1 - len(result.diverged) / 30
