"""Runbook and past-incident search, with citations (file and heading)."""

from __future__ import annotations

from typing import Literal

from agents.knowledge import Passage
from agents.similar import Like, ranked
from agents.tools import ToolContext, ToolResult, investigation_tool

AlertType = Literal["model_drift", "accuracy_drop", "latency", "data_quality", "anomaly_spike"]


def _search(ctx: ToolContext, question: str, kind: str, limit: int) -> ToolResult:
    ctx.on_progress(f"searching {kind}s")
    return _result(ctx.knowledge.search(question, kind=kind, limit=limit), f"no {kind} matches {question!r}")  # type: ignore[arg-type]


def _result(passages: list[Passage], nothing: str) -> ToolResult:
    if not passages:
        return ToolResult("no_data", nothing)
    lines = [f"[{p.citation}] {p.text[:600]}" for p in passages]
    return ToolResult("ok", "\n\n".join(lines), {"citations": [p.citation for p in passages],
                                                "sources": list(dict.fromkeys(p.source for p in passages))})


@investigation_tool
def search_runbooks(ctx: ToolContext, question: str, limit: int = 3) -> ToolResult:
    """Search the runbooks; every passage comes with its file and heading to cite.

    Args:
        question: what to look up, e.g. "drift above 0.3 with F1 dropping"
        limit: how many passages
    """
    return _search(ctx, question, "runbook", limit)


@investigation_tool
def search_incidents(ctx: ToolContext, question: str, limit: int = 3, alert_type: AlertType | None = None,
                     component: str | None = None, features: list[str] | None = None) -> ToolResult:
    """Search past incident reports for similar cases; every passage comes with its file and heading.
    Given the alert type, component or features, incidents about the same alert, component and
    features come first and the question's words only break ties.

    Args:
        question: the symptom, e.g. "V14 drift after a vendor change"
        limit: how many incidents
        alert_type: the alert being investigated, if known
        component: the model or pipeline, e.g. classifier_v2, if known
        features: the drifted features, e.g. ["V14", "V17"], if known
    """
    if alert_type is None and component is None and not features:
        return _search(ctx, question, "incident", limit)
    ctx.on_progress("searching incidents")
    like = Like((alert_type,) if alert_type else (), (component,) if component else (), tuple(features or ()),
                question)
    words = ctx.knowledge.search(question, kind="incident", limit=50)
    # each incident by its passage nearest the question, else by its summary
    passages = [next((p for p in words if p.source == source), None) or _summary(ctx, source)
                for source in ranked(ctx.knowledge, like, limit)]
    return _result(passages, f"no incident like {question!r}")


def _summary(ctx: ToolContext, source: str) -> Passage:
    text = ctx.knowledge.incidents[source].get("summary", "")
    return Passage(source, "incident", "", "Summary", text, 0.0)
