"""Pipeline data quality: null rates, schema violations, out-of-range values, the pipeline's status."""

from __future__ import annotations

from agents.tools import ToolContext, ToolResult, investigation_tool


@investigation_tool
def query_data_quality(ctx: ToolContext, pipeline_name: str, runs: int = 6) -> ToolResult:
    """The latest pipeline runs: records, null rate, schema violations, out-of-range values, status.

    Args:
        pipeline_name: e.g. transactions_ingest or feature_pipeline
        runs: how many latest runs
    """
    ctx.on_progress(f"checking data quality of {pipeline_name}")
    rows = ctx.warehouse.query(
        "SELECT timestamp, records_processed, records_invalid, null_rate, schema_violations, out_of_range_count, "
        "status FROM DATA_QUALITY WHERE pipeline_name = %(p)s ORDER BY timestamp DESC LIMIT %(n)s",
        {"p": pipeline_name, "n": runs})
    if not rows:
        return ToolResult("no_data", f"no runs recorded for pipeline {pipeline_name}")
    latest = rows[0]
    problems = []
    if latest["null_rate"] > 0.05:
        problems.append(f"null rate {latest['null_rate']:.1%} (warning > 5 %, critical > 10 %)")
    if latest["schema_violations"]:
        problems.append(f"{latest['schema_violations']} schema violations")
    verdict = "; ".join(problems) if problems else "no data-quality problem"
    summary = (f"{pipeline_name} latest run {latest['timestamp']:%H:%M} UTC, status {latest['status']}: {verdict}. "
               f"{latest['records_processed']:,} records, {latest['records_invalid']:,} invalid, "
               f"{latest['out_of_range_count']} out of range. Statuses of the last {len(rows)} runs: "
               + ", ".join(r["status"] for r in rows))
    return ToolResult("ok", summary, {"latest": latest, "problems": problems,
                                      "healthy": not problems and latest["status"] == "healthy"})
