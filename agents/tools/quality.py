"""Pipeline data quality: null rates, schema violations, out-of-range values, the pipeline's status."""

from __future__ import annotations

from agents.tools import ToolContext, ToolResult, investigation_tool
from bot.rules import Rule, breaches


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
    # judged by the rules the monitor alerts on (with this pipeline's overrides); the status rule's
    # breach shows in the statuses listed below, a number's with its limits
    found = breaches(latest, ctx.rules.for_component(pipeline_name, "pipeline"))
    problems = [f"{b.rule.column.replace('_', ' ')} {_shown(b.rule, b.value)} ({_limits(b.rule)})"
                for b in found if b.rule.direction != "equals"]
    if latest["schema_violations"]:
        problems.append(f"{latest['schema_violations']} schema violations")
    verdict = "; ".join(problems) if problems else "no data-quality problem"
    summary = (f"{pipeline_name} latest run {latest['timestamp']:%H:%M} UTC, status {latest['status']}: {verdict}. "
               f"{latest['records_processed']:,} records, {latest['records_invalid']:,} invalid, "
               f"{latest['out_of_range_count']} out of range. Statuses of the last {len(rows)} runs: "
               + ", ".join(r["status"] for r in rows))
    return ToolResult("ok", summary, {"latest": latest, "problems": problems,
                                      "healthy": not problems and all(b.rule.direction != "equals" for b in found)})


def _shown(rule: Rule, value: float | str) -> str:
    return f"{float(value):.1%}" if rule.column.endswith("_rate") else f"{value}"


def _limits(rule: Rule) -> str:
    levels = (("warning", rule.warning), ("critical", rule.critical))
    return ", ".join(f"{name} > {_shown(rule, limit)}" for name, limit in levels if limit is not None)
