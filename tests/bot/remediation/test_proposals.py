"""Proposals are checked in code before they become approval requests: a target outside the
investigation (another model, "all models", markup) is dropped, audited and said in the thread."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agents.diagnosis import Diagnosis, action
from bot.notify import PostRef
from bot.remediation.proposals import request_approvals
from tests.helpers.domain import domain


def diagnosis(evidence: list[str], *targets: str) -> Diagnosis:
    return Diagnosis(root_cause="drift on V14", root_cause_category="distribution_shift", confidence=0.8,
                     evidence=evidence, runbook_reference="runbooks/model_drift.md", similar_incidents=[],
                     recommended_actions=[action("retrain_model", i + 1, t) for i, t in enumerate(targets)])


def test_only_the_subject_or_a_known_model_the_evidence_names_is_requested(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        proposed = diagnosis(["classifier_v2 F1 0.82 < 0.88", "lstm_v1 shares the V14 feed and drifts too",
                              "anomaly_v9 (named, but the warehouse has never measured it)"],
                             "classifier_v2", "lstm_v1", "all models", "<!channel>", "anomaly_v9")
        thread = PostRef("C0MEMORY", "1.0")
        requested = asyncio.run(request_approvals(d.deps, proposed, engine="claude", requested_by="U0ONCALL",
                                                  component="classifier_v2", investigation_id="inv1",
                                                  alert_id=None, thread=thread))
        assert [a.target for a in requested] == ["classifier_v2", "lstm_v1"]
        dropped = d.announcer.of("proposal_dropped")
        assert [s.about for s in dropped] == ["all models", "<!channel>", "anomaly_v9"]
        assert all(s.details["thread"] == thread for s in dropped)
        assert "not a model the warehouse knows" in dropped[2].details["why"]
        refused = [e for e in d.deps.store.audit.entries("inv1") if e.outcome == "refused:target"]
        assert sorted(e.details["target"] for e in refused) == ["<!channel>", "all models", "anomaly_v9"]


def test_a_target_the_evidence_never_names_is_dropped_even_when_it_exists(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        proposed = diagnosis(["classifier_v2 F1 0.82 < 0.88"], "lstm_v1")
        requested = asyncio.run(request_approvals(d.deps, proposed, engine="claude", requested_by="U0ONCALL",
                                                  component="classifier_v2", investigation_id="inv2",
                                                  alert_id=None, thread=PostRef("C0MEMORY", "1.0")))
        assert requested == []
        [said] = d.announcer.of("proposal_dropped")
        assert "not classifier_v2, the component under investigation" in said.details["why"]
