"""Per-feature drift: which of V1..V28, Time and Amount moved."""

from __future__ import annotations

from agents.tools import ToolContext, ToolResult, investigation_tool

HIGHLIGHT_PSI = 0.2


@investigation_tool
def query_feature_drift(ctx: ToolContext, model_name: str, limit: int = 5) -> ToolResult:
    """Per-feature PSI of a model at its latest measurement, highest first; PSI > 0.2 is marked ⚠.

    Args:
        model_name: the model, e.g. classifier_v2
        limit: how many features to list: those over PSI 0.2 in full, then the highest others by name and PSI
    """
    ctx.on_progress(f"querying feature drift of {model_name}")
    rows = ctx.warehouse.query(
        "SELECT feature_name, psi_score, ks_statistic, mean_shift FROM FEATURE_DRIFT WHERE model_name = %(m)s "
        "AND timestamp = (SELECT MAX(timestamp) FROM FEATURE_DRIFT WHERE model_name = %(m)s) "
        "ORDER BY psi_score DESC", {"m": model_name})
    if not rows:
        return ToolResult("no_data", f"no feature drift measured for {model_name}")
    drifted = [r for r in rows if r["psi_score"] > HIGHLIGHT_PSI]
    # what matters in full (the drifted features); of the rest only the next few, by name and PSI, so
    # eight features at PSI 0.06 never crowd out the two that moved
    lines = [f"⚠ {r['feature_name']} PSI {r['psi_score']:.2f} (KS {r['ks_statistic']:.2f}, "
             f"mean shift {r['mean_shift']:+.2f})" for r in drifted[:limit]]
    others = ", ".join(f"{r['feature_name']} {r['psi_score']:.2f}"
                       for r in rows[len(drifted):][:max(limit - len(drifted), 0)])
    summary = (f"{model_name}: {len(drifted)} of {len(rows)} features with PSI > {HIGHLIGHT_PSI}"
               + (": " + "; ".join(lines) if lines else "") + (f". Highest of the rest: {others}" if others else ""))
    return ToolResult("ok", summary, {"drifted": [r["feature_name"] for r in drifted], "features": rows[:limit]})
