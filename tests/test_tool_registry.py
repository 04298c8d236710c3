"""The tool registry: tools are found in agents/tools/, described without their context, and called only
with arguments the SDK's beta_tool has validated."""

from __future__ import annotations

from agents.knowledge import KnowledgeBase
from agents.tools import ToolContext
from agents.tools.registry import call, schemas, tools
from bot.clock import ManualClock
from bot.warehouse import Warehouse


def test_every_marked_tool_is_found_and_described_without_its_context() -> None:
    assert set(tools()) == {"query_model_metrics", "query_metric_trend", "query_feature_drift", "query_data_quality",
                            "search_runbooks", "search_incidents", "check_model_health", "check_training_status"}
    for schema in schemas():
        assert "ctx" not in schema["input_schema"]["properties"] and schema["description"]
        # docstrings are joined into sentences, and pydantic's titles (tokens, no meaning) are gone
        assert "\n" not in str(schema) and "'title'" not in str(schema)
    trend = next(s for s in schemas() if s["name"] == "query_metric_trend")
    assert trend["input_schema"]["required"] == ["component", "metric"]
    assert trend["input_schema"]["properties"]["hours"]["type"] == "integer"
    # the subject is always known to the model: no demo component is filled in silently
    metrics = next(s for s in schemas() if s["name"] == "query_model_metrics")["input_schema"]
    assert metrics["required"] == ["model_name"] and "default" not in metrics["properties"]["model_name"]


def test_arguments_are_validated_and_coerced_before_the_tool_runs(warehouse: Warehouse, now) -> None:  # type: ignore[no-untyped-def]
    ctx = ToolContext(warehouse, KnowledgeBase(), ManualClock(now))
    content, is_error = call(ctx, "search_runbooks", {"question": "rollback procedure", "limit": "2"})
    assert not is_error and "rollback.md" in content
    content, is_error = call(ctx, "search_runbooks", {"question": "rollback", "limit": "two"})
    assert is_error and content.startswith("bad arguments for search_runbooks: limit: Input should be a valid integer")
    content, is_error = call(ctx, "search_runbooks", {"question": "x", "drop": "tables"})
    assert is_error and "drop: Unexpected keyword argument" in content
    assert call(ctx, "search_runbooks", ["not", "a", "dict"]) == (
        "bad arguments for search_runbooks: Input must be a dictionary, got list", True)
