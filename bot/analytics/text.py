"""A StatsReport as text for a terminal (`agentops stats`), with units people read: "4m 10s", "82 %",
"$0.031", and "—" wherever a measure is undefined (nothing to divide by), never a misleading 0."""

from __future__ import annotations

from bot.analytics.report import Percentiles, StatsReport

NONE = "—"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return NONE
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def percent(rate: float | None) -> str:
    if rate is None:
        return NONE
    # below 10 % a tenth matters (a 4.6 % false-positive rate against a 5 % target)
    return f"{rate * 100:.1f} %" if rate < 0.1 else f"{rate * 100:.0f} %"


def usd(amount: float | None) -> str:
    if amount is None:
        return NONE
    return f"${amount:.3f}" if amount < 1 else f"${amount:,.2f}"


def confidence(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def _row(label: str, spread: Percentiles) -> str:
    return f"  {label:<22}{duration(spread.p50):>10}{duration(spread.p95):>10}{spread.count:>8}"


def render(report: StatsReport) -> str:
    lines = [
        f"AgentOps, the last {report.days} days: alerts posted {report.since:%Y-%m-%d %H:%M} → "
        f"{report.until:%Y-%m-%d %H:%M} UTC",
        f"  {report.incidents} incidents ({report.alerts} alerts), {report.resolved} resolved, "
        f"{report.escalated} escalated; {report.investigations} investigations",
        "",
        f"  {'time to':<22}{'p50':>10}{'p95':>10}{'of':>8}",
        _row("detect", report.time_to_detect),
        _row("acknowledge", report.time_to_acknowledge),
        _row("diagnose", report.time_to_diagnose),
        _row("act", report.time_to_act),
        _row("resolve", report.time_to_resolve),
        "",
        f"  {'auto-fix rate':<28}{percent(report.auto_fix_rate):>8}   resolved by a verified approved action",
        f"  {'escalation rate':<28}{percent(report.escalation_rate):>8}   of closed incidents",
        f"  {'false-positive rate':<28}{percent(report.false_positive_rate):>8}   alerts marked \"Not a problem\"",
        f"  {'fallback to offline':<28}{percent(report.fallback_rate):>8}   of investigations meant for Claude",
        f"  {'diagnosis confidence':<28}{confidence(report.confidence_7d):>8}   last 7 days "
        f"({confidence(report.confidence_30d)} over 30)",
        f"  {'cost':<28}{usd(report.cost_usd):>8}   {usd(report.cost_per_investigation_usd)} per investigation, "
        f"{usd(report.cost_per_resolved_incident_usd)} per resolved incident",
    ]
    if report.time_to_resolve_by_type:
        lines += ["", f"  {'time to resolve, by type':<22}{'p50':>10}{'p95':>10}{'of':>8}"]
        lines += [_row(kind, spread) for kind, spread in report.time_to_resolve_by_type.items()]
    costs = {w.week: w for w in report.weekly_cost}
    lines += ["", f"  {'week of':<12}{'auto-fixed':>11}{'escalated':>11}{'otherwise':>11}{'cost/resolution':>17}"]
    for week in report.weekly_outcomes:
        spent = costs.get(week.week)
        lines.append(f"  {week.week.isoformat():<12}{week.auto_fixed:>11}{week.escalated:>11}"
                     f"{week.resolved_otherwise:>11}{usd(spent.cost_per_resolution_usd if spent else None):>17}")
    return "\n".join(lines)
