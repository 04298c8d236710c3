"""Runbook and past-incident search, with citations (file and heading)."""

from __future__ import annotations

from agents.tools import ToolContext, ToolResult, investigation_tool


def _search(ctx: ToolContext, question: str, kind: str, limit: int) -> ToolResult:
    ctx.on_progress(f"searching {kind}s")
    passages = ctx.knowledge.search(question, kind=kind, limit=limit)  # type: ignore[arg-type]
    if not passages:
        return ToolResult("no_data", f"no {kind} matches {question!r}")
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
def search_incidents(ctx: ToolContext, question: str, limit: int = 3) -> ToolResult:
    """Search past incident reports for similar cases; every passage comes with its file and heading.

    Args:
        question: the symptom, e.g. "V14 drift after a vendor change"
        limit: how many passages
    """
    return _search(ctx, question, "incident", limit)
