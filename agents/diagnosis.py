"""The Diagnosis (DESIGN §6): what broke, how sure, the evidence, and what to do — validated."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Category = Literal["distribution_shift", "data_quality_issue", "bad_deployment", "training_data_issue",
                   "legitimate_traffic_change", "schema_change", "resource_saturation", "unknown"]
Action = Literal["retrain_model", "rollback_model", "monitor", "notify_team", "create_github_issue",
                 "quarantine_batch", "rerun_pipeline", "update_schema_config", "adjust_threshold",
                 "scale_resources", "escalate"]
GATED_ACTIONS = frozenset({"retrain_model", "rollback_model"})


class RecommendedAction(BaseModel):
    action: Action
    priority: int = Field(ge=1, le=10)
    requires_approval: bool
    condition: str = ""  # e.g. "if retrain fails"
    target: str  # a model or pipeline


class Diagnosis(BaseModel):
    alert_id: str | None = None
    root_cause: str
    root_cause_category: Category
    confidence: float = Field(ge=0, le=1)
    evidence: list[str]
    recommended_actions: list[RecommendedAction]
    runbook_reference: str
    similar_incidents: list[str]


def action(name: Action, priority: int, target: str, condition: str = "") -> RecommendedAction:
    """A recommended action; the gated ones always require approval, whoever proposes them."""
    return RecommendedAction(action=name, priority=priority, requires_approval=name in GATED_ACTIONS,
                             condition=condition, target=target)
