"""The Diagnosis (DESIGN §6): what broke, how sure, the evidence, and what to do — validated; and
submit_diagnosis, the strict tool through which Claude hands it over."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field, ValidationError

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


SUBMIT = "submit_diagnosis"


def submit_tool(targets: list[str]) -> dict:
    """The final answer as a strict tool: the API holds the model to this schema (enums for category,
    action and target). Ranges it cannot express (confidence, priority) are checked by Diagnosis."""
    def strings(description: str) -> dict:
        return {"type": "array", "items": {"type": "string"}, "description": description}

    action_item = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "action": {"type": "string", "enum": list(get_args(Action))},
            "priority": {"type": "integer", "description": "1 is first, up to 10"},
            "condition": {"type": "string", "description": "when it applies, e.g. 'if retrain fails'; '' if always"},
            "target": {"type": "string", "enum": targets, "description": "the model or pipeline it acts on"}},
        "required": ["action", "priority", "condition", "target"]}
    properties = {
        "root_cause": {"type": "string", "description": "what broke and why, in one or two sentences"},
        "root_cause_category": {"type": "string", "enum": list(get_args(Category))},
        "confidence": {"type": "number", "description": "0 to 1"},
        "evidence": strings("each line a number a tool returned, with its threshold or baseline and time"),
        "recommended_actions": {"type": "array", "items": action_item},
        "runbook_reference": {"type": "string",
                              "description": "the runbook file followed, e.g. runbooks/model_drift.md"},
        "similar_incidents": strings("incident ids the tools returned"),
    }
    return {"name": SUBMIT, "strict": True,
            "description": "Submit the final diagnosis. Call it once, when the evidence decides, and on the last step.",
            "input_schema": {"type": "object", "additionalProperties": False, "properties": properties,
                             "required": list(properties)}}


def accept(arguments: object, subject: str, targets: list[str]) -> tuple[Diagnosis | None, str, list[str]]:
    """(diagnosis, why it is invalid, notes on dropped proposals). Enforced in code, whatever the model
    or the API did: gated actions need approval, and act only on the subject; other actions only on
    the subject or the components offered as targets."""
    if not isinstance(arguments, dict):
        return None, "the arguments are not an object", []
    actions = arguments.get("recommended_actions")
    candidate = dict(arguments, recommended_actions=[
        dict(a, requires_approval=a.get("action") in GATED_ACTIONS) if isinstance(a, dict) else a
        for a in (actions if isinstance(actions, list) else [])])
    try:
        diagnosis = Diagnosis.model_validate(candidate)
    except ValidationError as error:
        return None, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())[:500], []
    kept, notes = [], []
    for proposal in diagnosis.recommended_actions:
        outside = proposal.target not in targets or (proposal.action in GATED_ACTIONS and proposal.target != subject)
        if outside:
            notes.append(f"dropped a proposal outside {subject}: {proposal.action} on {proposal.target!r}")
        else:
            kept.append(proposal)
    return diagnosis.model_copy(update={"recommended_actions": kept}), "", notes
