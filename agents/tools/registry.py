"""The tools the model may call: schemas from type hints and docstrings, and one way to call them.

Failures are data: an unknown tool, a tool's own error and an unexpected exception each come back
as an is_error result; the unexpected ones are logged.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable

from anthropic import beta_tool

from agents.tools import ToolContext, ToolResult
from agents.tools.drift import query_feature_drift
from agents.tools.metrics import query_metric_trend, query_model_metrics
from agents.tools.propose import propose_action
from agents.tools.quality import query_data_quality
from agents.tools.search import search_incidents, search_runbooks
from agents.tools.service import check_model_health, check_training_status

log = logging.getLogger("agentops.tools")
TOOLS: dict[str, Callable[..., ToolResult]] = {fn.__name__: fn for fn in (
    query_model_metrics, query_metric_trend, query_feature_drift, query_data_quality, search_runbooks,
    search_incidents, check_model_health, check_training_status, propose_action)}


def _without_context(fn: Callable[..., ToolResult]) -> Callable[..., ToolResult]:
    """The same function as the model sees it: no ctx parameter."""
    signature = inspect.signature(fn)
    params = [p for name, p in signature.parameters.items() if name != "ctx"]

    @functools.wraps(fn)
    def visible(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("schema only")

    visible.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    visible.__annotations__ = {k: v for k, v in fn.__annotations__.items() if k != "ctx"}
    return visible


@functools.cache
def schemas() -> tuple[dict, ...]:
    """Stable order and content, so the tools stay a cacheable prefix of every request."""
    return tuple(beta_tool(_without_context(fn)).to_dict() for fn in TOOLS.values())


def call(ctx: ToolContext, name: str, arguments: dict) -> tuple[str, bool]:
    """(content for the tool_result, is_error)."""
    tool = TOOLS.get(name)
    if tool is None:
        return f"unknown tool {name!r}; available: {', '.join(TOOLS)}", True
    try:
        result = tool(ctx, **arguments)
    except TypeError as error:  # wrong or missing arguments from the model
        return f"bad arguments for {name}: {error}", True
    except Exception as error:
        log.exception("tool %s failed", name)
        return f"{name} failed: {type(error).__name__}: {error}", True
    return result.summary, result.status == "error"
