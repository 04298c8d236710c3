"""Replaying a stored investigation: from its record with the warehouse stopped, stored run by run, and
refused clearly when it cannot be."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from agents.diagnosis import Diagnosis
from bot.replay import service
from bot.replay.engine import Outcome, run_once
from bot.replay.perturb import perturb
from bot.warehouse import WarehouseError
from tests.helpers.processes import agentops
from tests.helpers.replay import recorded_demo


def test_a_replay_of_the_demo_investigation_needs_no_warehouse(tmp_path: Path, now: datetime) -> None:
    with recorded_demo(tmp_path, now) as (d, investigation_id, record):
        d.deps.warehouse.close()  # the embedded warehouse's server stops
        with pytest.raises(WarehouseError):
            d.deps.warehouse.query("SELECT 1")
        stored = d.deps.store.investigations.get(investigation_id)
        assert stored is not None and stored.diagnosis is not None
        original = Diagnosis.model_validate(stored.diagnosis)
        again = run_once(record, Outcome.of(original), perturb(record, "none", 0), d.deps.knowledge, d.deps.settings)
        assert again.stable and again.diagnosis == original  # word for word, evidence and incidents included
        done = service.run(d.deps.store, "model_drift:classifier_v2", kinds=["text", "metrics", "order"], n=5,
                           seed=7, knowledge=d.deps.knowledge, settings=d.deps.settings, client=None,
                           requested_by="U0ONCALL", now=now)
        assert done.investigation_id == investigation_id and done.result.stability == 1.0
        assert [r.divergence for r in done.result.runs] == [""] * 15
        [kept] = d.deps.store.replays.replays_of(investigation_id)
        assert kept.stability == 1.0 and kept.perturbations == "text,metrics,order"
        runs = d.deps.store.replays.runs(done.replay_id)
        assert len(runs) == 15 and {r["category"] for r in runs} == {"distribution_shift"}


def test_replays_refuse_clearly(tmp_path: Path, now: datetime) -> None:
    with recorded_demo(tmp_path, now) as (d, investigation_id, _record):
        def refused(ref: str, **options: object) -> str:
            with pytest.raises(service.ReplayRefused) as caught:
                service.run(d.deps.store, ref, **({"kinds": ["text"], "n": 2, "seed": 0,
                                                   "knowledge": d.deps.knowledge, "settings": d.deps.settings,
                                                   "client": None, "requested_by": "cli", "now": now} | options))
            return str(caught.value)

        assert refused("nope").startswith("no investigation 'nope': give an investigation id or the fingerprint")
        assert refused(investigation_id, n=0) == "--n must be between 1 and 200 (runs per perturbation), not 0"
        # replays.seed is a 32-bit integer: a seed whose runs would pass it is refused before any run
        assert refused(investigation_id, seed=2**31 - 2, n=3) == (
            f"--seed must be between 0 and {2**31 - 3} with --n 3 (run i uses seed + i), not {2**31 - 2}")
        assert refused(investigation_id, seed=-1) == "--seed must be between 0 and 2147483646 with --n 2 (run i uses " \
            "seed + i), not -1"
        assert d.deps.store.replays.replays_of(investigation_id) == []
        with pytest.raises(service.ReplayRefused, match="unknown perturbation words; use any of text, metrics, order"):
            service.kinds_of("text,words")
        # an investigation from before recording: finished, with a diagnosis, and no record
        older = d.deps.store.investigations.start(trigger="classifier_v2", requested_by="cli", now=now)
        assert older is not None
        d.deps.store.investigations.finish(older.investigation_id, status="done", now=now, engine="offline",
                                           diagnosis=d.deps.store.investigations.get(investigation_id).diagnosis)  # type: ignore[union-attr]
        assert refused(older.investigation_id) == (
            f"investigation {older.investigation_id} has no record (it ran before investigations were recorded): "
            "investigate again, then replay the new one")


def test_agentops_replay_prints_the_stability_and_says_what_is_wrong(tmp_path: Path, now: datetime) -> None:
    with recorded_demo(tmp_path, now) as (d, investigation_id, _record):
        where = {"AGENTOPS_DATA_DIR": str(d.deps.settings.agentops_data_dir)}
        # no warehouse is configured or started for the command: the record is all it reads
        result = agentops("replay", "model_drift:classifier_v2", "--n", "3", "--perturb", "text,order", "--json",
                          cwd=tmp_path, **where)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["investigation_id"] == investigation_id and summary["engine"] == "offline"
        assert (summary["runs"], summary["stability"], summary["diverged"]) == (6, 1.0, [])
        assert summary["stability_by_perturbation"] == {"text": 1.0, "order": 1.0}
        plain = agentops("replay", investigation_id, "--n", "2", cwd=tmp_path, **where)
        assert "Stability: 100% of 6 runs reach the original category and gated actions" in plain.stdout
        assert "Original: distribution_shift [retrain_model, rollback_model], confidence 85%" in plain.stdout
        unknown = agentops("replay", "latency:lstm_v1", cwd=tmp_path, **where)
        assert unknown.returncode == 1 and unknown.stderr.startswith("agentops: no investigation 'latency:lstm_v1'")
        assert "Traceback" not in unknown.stderr


def test_a_seed_past_what_the_store_keeps_is_a_usage_error(tmp_path: Path) -> None:
    for seed in ("2147483648", "-1", "seven"):
        result = agentops("replay", "model_drift:classifier_v2", "--seed", seed, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"argument --seed: {seed!r} is not a seed: give a whole number from 0 to 2147483647" in result.stderr
