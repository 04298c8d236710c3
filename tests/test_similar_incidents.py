"""Similar incidents: ranked by the alert they began with, then component and features, then words."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from agents.glossary import ALERT_TERMS
from agents.knowledge import KnowledgeBase, default_corpora
from agents.similar import Like, alert_types, main_alert_type, ranked
from agents.tools import ToolContext
from agents.tools.registry import call
from agents.tools.search import AlertType
from bot.clock import ManualClock
from bot.rules import ALERT_TYPES
from bot.warehouse import Warehouse


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase()


def test_the_alert_types_are_the_rules_own() -> None:
    assert set(get_args(AlertType)) == set(ALERT_TERMS) == set(ALERT_TYPES)


def test_the_drift_case_lists_the_v14_incident_first_and_not_the_anomaly_spike(kb: KnowledgeBase) -> None:
    like = Like(("model_drift", "accuracy_drop"), ("classifier_v2",), ("V14", "V17"), "V14 V17 drift")
    found = ranked(kb, like)
    assert found[0] == "incidents/inc_2026_0115_v14_drift.md"
    assert "incidents/inc_2026_0222_anomaly_spike.md" not in found


@pytest.mark.parametrize(("like", "first"), [
    (Like(("data_quality",), ("transactions_ingest",)), "incidents/inc_2026_0120_null_spike.md"),
    (Like(("data_quality",), ("feature_pipeline",), (), "schema change"), "incidents/inc_2026_0218_schema_change.md"),
    (Like(("latency",), ("classifier_v2",)), "incidents/inc_2026_0203_latency.md"),
    (Like(("anomaly_spike",), ("anomaly_v1",)), "incidents/inc_2026_0222_anomaly_spike.md"),
])
def test_each_alert_type_finds_its_incident_without_any_words(kb: KnowledgeBase, like: Like, first: str) -> None:
    assert ranked(kb, like)[0] == first


def test_an_incident_is_typed_by_its_first_alerting_line_and_its_story() -> None:
    timeline = "- 09:00 — deploy\n- 09:10 — p99 3 s (critical), F1 0.91\n- 09:20 — null_rate 0.2 (critical)"
    assert main_alert_type(timeline) == "latency"
    assert main_alert_type("- 10:00 — nothing pages anyone") is None
    # a story is about what it names at least half as often as its main subject
    assert alert_types("Null Amount after an ETL bug: nulls in 15 % of rows, nulls imputed; F1 barely moved.") == {
        "data_quality"}
    assert alert_types("Null Amount after an ETL bug, and F1 fell.") == {"data_quality", "accuracy_drop"}


def test_a_teams_own_incidents_are_ranked_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "inc_a.md").write_text(
        "# Incident A\n\n## Summary\nDrift on fraud_gbm after a feed changed, PSI 0.5 on merchant_age.\n\n"
        "## Timeline\n- 10:00 — fraud_gbm drift_score 0.5 (critical)\n\n"
        "## Affected Components\nfraud_gbm, feature merchant_age\n")
    (tmp_path / "inc_b.md").write_text(
        "# Incident B\n\n## Summary\nA latency spike on fraud_gbm: p99 2 s while the feed drifted a little.\n\n"
        "## Timeline\n- 10:00 — fraud_gbm p99 2 s (critical), drift 0.1\n\n## Affected Components\nfraud_gbm\n")
    kb = KnowledgeBase(default_corpora() | {"incident": tmp_path})
    # the words favour B (it says 'feed drifted'); the alert type and the feature say A
    assert ranked(kb, Like(("model_drift",), ("fraud_gbm",), ("merchant_age",), "feed drifted"))[0] == \
        f"{tmp_path.name}/inc_a.md"
    assert ranked(kb, Like(("latency",), ("fraud_gbm",)))[0] == f"{tmp_path.name}/inc_b.md"


def test_the_search_tool_ranks_by_the_case_when_told_it(warehouse: Warehouse, kb: KnowledgeBase, now) -> None:  # type: ignore[no-untyped-def]
    ctx = ToolContext(warehouse, kb, ManualClock(now))
    content, is_error = call(ctx, "search_incidents", {"question": "drift", "alert_type": "model_drift",
                                                       "component": "classifier_v2", "features": ["V14"]})
    assert not is_error and content.startswith("[incidents/inc_2026_0115_v14_drift.md › ")
    assert "inc_2026_0222_anomaly_spike" not in content
    content, is_error = call(ctx, "search_incidents", {"question": "x", "alert_type": "disk_full"})
    assert is_error and "alert_type" in content
    plain, _ = call(ctx, "search_incidents", {"question": "V14 drift after a vendor change"})
    assert plain.startswith("[incidents/inc_2026_0115_v14_drift.md › ")  # words alone still work
