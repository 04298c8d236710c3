"""The offline investigator on every seed scenario: the category and actions the runbooks prescribe."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agents.diagnosis import Diagnosis
from agents.knowledge import KnowledgeBase
from agents.offline import investigate_model, investigate_pipeline
from agents.subject import UnknownComponent, known_components, resolve
from agents.tools import ToolContext, ToolResult
from agents.tools.metrics import query_metric_trend
from agents.tools.propose import propose_action
from bot.clock import ManualClock
from bot.rules import load_rules
from bot.warehouse import Warehouse


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase()


Run = Callable[[str, str], Diagnosis]


@pytest.fixture
def ctx(seeded_warehouse: Callable[..., Warehouse], knowledge: KnowledgeBase, now: datetime) -> Iterator[ToolContext]:
    yield ToolContext(seeded_warehouse("healthy"), knowledge, ManualClock(now))


@pytest.fixture
def run(ctx: ToolContext, seeded_warehouse: Callable[..., Warehouse]) -> Run:
    """run(scenario, component): the offline investigator on a warehouse holding that scenario."""
    def investigate_scenario(scenario: str, component: str) -> Diagnosis:
        ctx.warehouse = seeded_warehouse(scenario)
        subject = resolve(component, known_components(ctx.warehouse))
        investigate = investigate_model if subject.kind == "model" else investigate_pipeline
        return Diagnosis.model_validate(investigate(ctx, subject.component).model_dump())  # the schema holds

    return investigate_scenario


def actions(diagnosis: Diagnosis) -> list[str]:
    return [a.action for a in diagnosis.recommended_actions]


def test_drift_is_a_distribution_shift_to_roll_back_then_retrain(run: Run) -> None:
    diagnosis = run("drift", "classifier_v2")
    assert diagnosis.root_cause_category == "distribution_shift"
    assert any("V14 PSI 0.80" in e and "V17 PSI 0.60" in e for e in diagnosis.evidence)
    assert "V14, V17" in diagnosis.root_cause
    assert actions(diagnosis)[:2] == ["rollback_model", "retrain_model"]
    assert all(a.requires_approval for a in diagnosis.recommended_actions[:2])
    assert diagnosis.similar_incidents[0] == "INC-2026-0115 (incidents/inc_2026_0115_v14_drift.md)"
    # ranked by what the incidents were about, not by shared words: the anomaly spike is not like a drift
    assert not any(i.startswith("INC-2026-0222") for i in diagnosis.similar_incidents)
    assert diagnosis.runbook_reference == "runbooks/model_drift.md"


@pytest.mark.parametrize("component", ["classifier_v2", "transactions_ingest"])
def test_a_null_spike_is_bad_data_and_is_never_retrained_on(run: Run, component: str) -> None:
    diagnosis = run("null_spike", component)
    assert diagnosis.root_cause_category == "data_quality_issue"
    assert actions(diagnosis) == ["quarantine_batch", "rerun_pipeline", "notify_team"]
    assert diagnosis.similar_incidents[0].startswith("INC-2026-0120")


def test_schema_violations_update_the_schema_config(run: Run) -> None:
    diagnosis = run("schema_change", "feature_pipeline")
    assert diagnosis.root_cause_category == "schema_change"
    assert actions(diagnosis) == ["update_schema_config", "rerun_pipeline", "notify_team"]
    assert diagnosis.similar_incidents[0].startswith("INC-2026-0218")


@pytest.mark.parametrize(("scenario", "incident"), [("bad_deploy", "INC-2026-0210"),
                                                    ("latency_spike", "INC-2026-0203")])
def test_degradation_right_after_a_new_version_is_rolled_back(run: Run, scenario: str, incident: str) -> None:
    diagnosis = run(scenario, "classifier_v2")
    assert diagnosis.root_cause_category == "bad_deployment"
    assert actions(diagnosis)[0] == "rollback_model" and "retrain_model" not in actions(diagnosis)
    assert "v2.5.0" in diagnosis.root_cause and "v2.4.0" in diagnosis.root_cause
    assert diagnosis.similar_incidents[0].startswith(incident)


def test_latency_without_a_new_version_is_saturation_scaled_never_rolled_back(run: Run) -> None:
    diagnosis = run("latency_saturation", "classifier_v2")
    assert diagnosis.root_cause_category == "resource_saturation"
    assert actions(diagnosis) == ["scale_resources", "notify_team", "monitor"]
    assert not any(a.requires_approval for a in diagnosis.recommended_actions)  # nothing to roll back
    assert "v2.4.0 serving all along" in diagnosis.root_cause and "traffic rose" in diagnosis.root_cause
    assert "latency_p95_ms 6" in diagnosis.root_cause and "(warning > 500)" in diagnosis.root_cause
    optimise = diagnosis.recommended_actions[1].condition
    assert "optimise the model" in optimise and "batching" in optimise
    assert diagnosis.runbook_reference == "runbooks/latency_spike.md"
    assert diagnosis.similar_incidents[0].startswith("INC-2026-0203")


@pytest.mark.parametrize(("scenario", "model", "overrides", "category"), [
    # classifier_v2's own looser budget: 630 ms and 1.2 s are within it
    ("latency_saturation", "classifier_v2",
     "classifier_v2:\n    latency_p95: {warning: 700}\n    latency_p99: {critical: 1500}", "unknown"),
    # another model's override leaves classifier_v2 on the defaults
    ("latency_saturation", "classifier_v2", "lstm_v1:\n    latency_p95: {warning: 700}", "resource_saturation"),
    # lstm_v1's tighter budget makes its healthy 210 ms a breach
    ("healthy", "lstm_v1", "lstm_v1:\n    latency_p95: {warning: 150}", "resource_saturation"),
    # a pipeline's looser rules: its 15 % nulls and its own 'critical' no longer make bad data under the model
    ("null_spike", "classifier_v2", "transactions_ingest:\n    null_rate: {warning: 0.2, critical: 0.3}\n"
     "    pipeline_status: {warning: null, critical: null}", "unknown"),
])
def test_per_model_rule_overrides_change_the_verdict(run: Run, ctx: ToolContext, tmp_path: Path, scenario: str,
                                                     model: str, overrides: str, category: str) -> None:
    (tmp_path / "rules.yaml").write_text(f"overrides:\n  {overrides}\n")
    ctx.rules = load_rules(tmp_path / "rules.yaml", timedelta(hours=3))
    diagnosis = run(scenario, model)
    assert diagnosis.root_cause_category == category
    if category == "unknown":
        assert "rollback_model" not in actions(diagnosis) and "scale_resources" not in actions(diagnosis)


def test_the_stricter_accuracy_floor_is_an_accuracy_drop(run: Run, ctx: ToolContext, tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("overrides:\n  classifier_v2:\n    accuracy_drop: {critical: 0.92}\n")
    ctx.rules = load_rules(tmp_path / "rules.yaml", timedelta(hours=3))
    diagnosis = run("healthy", "classifier_v2")
    assert actions(diagnosis) == ["escalate", "create_github_issue"] and "F1 fell to 0.9" in diagnosis.root_cause


def test_every_pipeline_the_warehouse_knows_is_checked(ctx: ToolContext) -> None:
    ctx.warehouse.execute("INSERT INTO DATA_QUALITY (timestamp, pipeline_name, records_processed, records_valid, "
                          "records_invalid, null_rate, schema_violations, out_of_range_count, status) "
                          "SELECT MAX(timestamp), 'payments_enrich', 1000, 700, 300, 0.3, 0, 0, 'critical' "
                          "FROM DATA_QUALITY")
    diagnosis = investigate_model(ctx, "classifier_v2")
    assert diagnosis.root_cause_category == "data_quality_issue"
    assert "payments_enrich" in diagnosis.root_cause and "null rate 30.0%" in " ".join(diagnosis.evidence)


def test_an_anomaly_spike_with_stable_accuracy_is_traffic_never_a_rollback(run: Run) -> None:
    diagnosis = run("anomaly_spike", "anomaly_v1")
    assert diagnosis.root_cause_category == "legitimate_traffic_change"
    assert actions(diagnosis) == ["adjust_threshold", "monitor"]
    assert diagnosis.similar_incidents[0].startswith("INC-2026-0222")


def test_a_healthy_model_gets_no_remediation(run: Run) -> None:
    diagnosis = run("healthy", "classifier_v2")
    assert actions(diagnosis) == ["monitor"] and "No problem found" in diagnosis.root_cause


def test_moderate_drift_is_monitored_for_24_hours(ctx: ToolContext) -> None:
    ctx.warehouse.execute("UPDATE MODEL_METRICS SET drift_score = 0.25 WHERE model_name = 'classifier_v2' "
                          "AND timestamp = (SELECT MAX(timestamp) FROM MODEL_METRICS)")
    diagnosis = investigate_model(ctx, "classifier_v2")
    assert (diagnosis.root_cause_category, actions(diagnosis)) == ("distribution_shift", ["monitor"])


def test_free_text_names_a_component_in_a_users_words(ctx: ToolContext) -> None:
    known = known_components(ctx.warehouse)
    assert resolve("F1 dropped on Classifier V2", known).component == "classifier_v2"
    assert resolve("model_drift:lstm_v1", known).component == "lstm_v1"
    assert resolve("nulls in transactions-ingest", known).kind == "pipeline"
    with pytest.raises(UnknownComponent, match="I don't know 'fraud_gbm_v7'; known models and pipelines: "
                                               "anomaly_v1, classifier_v2, feature_pipeline"):
        resolve("fraud_gbm_v7 is slow", known)


def test_metric_names_come_from_the_allow_list(ctx: ToolContext) -> None:
    result = query_metric_trend(ctx, "classifier_v2", "f1_score; DROP TABLE MODEL_METRICS")
    assert result.status == "error" and "unknown metric" in result.summary


def test_propose_action_records_and_never_executes(ctx: ToolContext) -> None:
    result = propose_action(ctx, "rollback_model", "classifier_v2", "F1 dropping after drift")
    assert result.status == "ok" and "approval required" in result.summary
    assert ctx.proposals == [{"action": "rollback_model", "target": "classifier_v2", "priority": 1,
                              "reason": "F1 dropping after drift", "condition": "", "requires_approval": True}]
    assert propose_action(ctx, "drop_database", "x", "no").status == "error"


def test_tool_output_is_capped() -> None:
    assert len(ToolResult("ok", "x" * 10_000).summary) == 4000


def test_trend_chart_draws_the_alerting_metric(ctx: ToolContext,
                                              seeded_warehouse: Callable[..., Warehouse]) -> None:
    from agents.chart import trend_chart

    ctx.warehouse = seeded_warehouse("drift")
    png, title = trend_chart(ctx.warehouse, ctx.rules, "classifier_v2", "model", "distribution_shift", ctx.clock.now())
    assert png.startswith(b"\x89PNG") and title == "classifier_v2 · drift_score, last 24 h (UTC)"
    # a data-quality diagnosis reached from a model charts nothing: the metric is the pipeline's
    for category in ("data_quality_issue", "unknown"):
        assert trend_chart(ctx.warehouse, ctx.rules, "classifier_v2", "model", category, ctx.clock.now()) is None
