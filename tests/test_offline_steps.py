"""The offline investigator records every tool call it makes as a step, in call order: what the run trace
and replay read. Counted independently through the progress hook every tool reports to once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from agents.investigation import InvestigationResult
from agents.knowledge import KnowledgeBase
from agents.offline import offline
from agents.subject import Subject, known_components, resolve
from agents.tools import ToolContext
from bot.clock import ManualClock
from bot.warehouse import Warehouse


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase()


def investigated(warehouse: Warehouse, knowledge: KnowledgeBase, now: datetime, subject: Subject | str,
                 ) -> tuple[InvestigationResult, list[str]]:
    """(the offline result, every progress step the tools reported while it ran)."""
    progress: list[str] = []
    ctx = ToolContext(warehouse, knowledge, ManualClock(now), on_progress=progress.append)
    if isinstance(subject, str):
        subject = resolve(subject, known_components(warehouse))
    return offline(ctx, subject), progress


@pytest.mark.parametrize(("scenario", "component"), [
    ("drift", "classifier_v2"), ("null_spike", "classifier_v2"), ("null_spike", "transactions_ingest"),
    ("latency_saturation", "classifier_v2"), ("latency_spike", "classifier_v2"), ("healthy", "classifier_v2"),
    ("schema_change", "feature_pipeline"), ("anomaly_spike", "anomaly_v1")])
def test_every_tool_call_is_a_step_in_call_order(seeded_warehouse: Callable[..., Warehouse], knowledge: KnowledgeBase,
                                                 now: datetime, scenario: str, component: str) -> None:
    result, progress = investigated(seeded_warehouse(scenario), knowledge, now, component)
    steps = result.steps
    # each tool tells the progress hook once when it starts: as many steps as the thread showed
    assert len(steps) == len(progress) > 0
    assert all(s.kind == "tool" and s.turn == 0 and not s.is_error for s in steps)
    outputs = [s.output for s in steps]
    assert all(line in outputs for line in result.diagnosis.evidence)  # each evidence line is a tool's output
    if result.diagnosis.similar_incidents:
        [similar] = [s for s in steps if s.name == "similar_incidents"]
        assert similar.output == "; ".join(result.diagnosis.similar_incidents)


def test_the_drift_investigation_records_its_tools_arguments(seeded_warehouse: Callable[..., Warehouse],
                                                             knowledge: KnowledgeBase, now: datetime) -> None:
    warehouse = seeded_warehouse("drift")
    result, _ = investigated(warehouse, knowledge, now, "classifier_v2")
    pipelines = sorted(n for n, kind in known_components(warehouse).items() if kind == "pipeline")
    assert [(s.name, s.arguments) for s in result.steps] == [
        ("query_model_metrics", {"model_name": "classifier_v2", "hours": 24}),
        ("query_feature_drift", {"model_name": "classifier_v2"}),
        ("query_metric_trend", {"component": "classifier_v2", "metric": "f1_score"}),
        *[("query_data_quality", {"pipeline_name": p}) for p in pipelines],
        ("similar_incidents", {"alert_types": ["model_drift", "accuracy_drop"], "components": ["classifier_v2"],
                               "features": ["V14", "V17"], "question": "V14 V17 drift distribution shift",
                               "limit": 3})]
    assert "⚠ V14 PSI 0.80" in result.steps[1].output


def test_an_alert_from_outside_the_warehouse_records_its_checks(seeded_warehouse: Callable[..., Warehouse],
                                                                knowledge: KnowledgeBase, now: datetime) -> None:
    warehouse = seeded_warehouse("null_spike")
    result, progress = investigated(warehouse, knowledge, now, Subject("checkout_api", "external", "p99 latency"))
    names = [s.name for s in result.steps]
    assert names[-2:] == ["search_runbooks", "search_incidents"] and len(names) == len(progress)
    assert set(names[:-2]) == {"query_data_quality"}
    assert result.steps[-1].arguments == {"question": "p99 latency checkout api"}


def test_a_second_investigation_on_one_context_records_only_its_own_calls(
        seeded_warehouse: Callable[..., Warehouse], knowledge: KnowledgeBase, now: datetime) -> None:
    ctx = ToolContext(seeded_warehouse("drift"), knowledge, ManualClock(now))
    first = offline(ctx, resolve("classifier_v2", known_components(ctx.warehouse)))
    second = offline(ctx, resolve("transactions_ingest", known_components(ctx.warehouse)))
    assert [s.name for s in second.steps] == ["query_data_quality"]
    assert len(ctx.calls) == len(first.steps) + 1
