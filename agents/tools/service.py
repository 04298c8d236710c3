"""The ML serving service, read-only: health, readiness, the active model, training runs."""

from __future__ import annotations

import json

from agents.tools import ToolContext, ToolResult, investigation_tool
from bot.ml_service import MLServiceUnavailable


@investigation_tool
def check_model_health(ctx: ToolContext) -> ToolResult:
    """Health and readiness of the ML serving service and the model it is serving (version, slots)."""
    ctx.on_progress("checking the model service")
    if ctx.ml_service is None:
        return ToolResult("error", "no ML service is configured (ML_SERVICE_URL)")
    try:
        health, ready, info = ctx.ml_service.health(), ctx.ml_service.ready(), ctx.ml_service.model_info()
    except MLServiceUnavailable as error:
        return ToolResult("error", str(error))
    return ToolResult("ok", f"health {json.dumps(health)}; ready {json.dumps(ready)}; model {json.dumps(info)}",
                      {"health": health, "ready": ready, "model": info})


@investigation_tool
def check_training_status(ctx: ToolContext, model_type: str) -> ToolResult:
    """Recent training runs of a model type: status, metrics, whether they passed the evaluation gate.

    Args:
        model_type: the family the ML service trains, e.g. classifier for classifier_v2
    """
    ctx.on_progress(f"checking {model_type} training runs")
    if ctx.ml_service is None:
        return ToolResult("error", "no ML service is configured (ML_SERVICE_URL)")
    try:
        runs = ctx.ml_service.training_status(model_type)
    except MLServiceUnavailable as error:
        return ToolResult("error", str(error))
    if not runs:
        return ToolResult("no_data", f"no training runs recorded for {model_type}")
    return ToolResult("ok", f"{model_type} training runs: {json.dumps(runs)}", {"runs": runs})
