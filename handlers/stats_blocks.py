"""Pure builders for the stats: the `/agentops stats` message and App Home's analytics section, from one
StatsReport. Numbers carry their units; a figure with nothing to measure is "—", never 0."""

from __future__ import annotations

from bot.analytics.report import Percentiles, StatsReport
from bot.analytics.text import NONE, confidence, duration, percent, usd
from handlers.blocks import SECTION_LIMIT, Blocks, context, header, section
from handlers.mrkdwn import code, esc

TYPES_SHOWN = 15  # rows of the by-type table; the slowest first, the rest named by count
# SPEC §8's success metrics, shown beside each figure so a reader sees at once which are off
TARGETS = {"detect": 5 * 60, "resolve": 15 * 60, "auto_fix": 0.80, "false_positive": 0.05}


def spread(p: Percentiles) -> str:
    if not p.count:
        return NONE
    return f"p50 {duration(p.p50)} · p95 {duration(p.p95)} _(n={p.count})_"


def _against(value: float | None, target: float, below: bool, shown: str) -> str:
    if value is None:
        return ""
    met = value < target if below else value > target
    return f" — target {'<' if below else '>'} {shown} {'✅' if met else '⚠️'}"


def timings(report: StatsReport) -> str:
    rows = [("Time to detect", report.time_to_detect), ("Time to acknowledge", report.time_to_acknowledge),
            ("Time to diagnose", report.time_to_diagnose), ("Time to act", report.time_to_act),
            ("Time to resolve", report.time_to_resolve)]
    lines = [f"• *{name}*: {spread(p)}" for name, p in rows]
    lines[0] += _against(report.time_to_detect.p50, TARGETS["detect"], True, "5 min")
    lines[4] += _against(report.time_to_resolve.p50, TARGETS["resolve"], True, "15 min")
    # detect runs from the first breaching measurement, the others from the alert post (README)
    return "*Timings*\n" + "\n".join(lines)


def outcomes(report: StatsReport) -> str:
    return ("*Outcomes*\n"
            f"• *Auto-fix rate*: {percent(report.auto_fix_rate)}"
            f"{_against(report.auto_fix_rate, TARGETS['auto_fix'], False, '80 %')}\n"
            f"• *Escalation rate*: {percent(report.escalation_rate)}\n"
            f"• *False-positive rate*: {percent(report.false_positive_rate)}"
            f"{_against(report.false_positive_rate, TARGETS['false_positive'], True, '5 %')}")


def agent(report: StatsReport) -> str:
    return ("*The investigator*\n"
            f"• *Diagnosis confidence*: {confidence(report.confidence_7d)} (7 days) · "
            f"{confidence(report.confidence_30d)} (30 days)\n"
            f"• *Fell back to the offline investigator*: {percent(report.fallback_rate)}\n"
            f"• *Cost*: {usd(report.cost_usd)} in all · {usd(report.cost_per_investigation_usd)} per investigation · "
            f"{usd(report.cost_per_resolved_incident_usd)} per resolved incident")


def by_type(report: StatsReport) -> str:
    """Time to resolve per alert type, slowest p95 first, whole lines within the section limit."""
    measured = sorted(report.time_to_resolve_by_type.items(), key=lambda item: -(item[1].p95 or 0))
    if not measured:
        return "*Time to resolve by alert type*\nNothing resolved in this window."
    lines: list[str] = []
    for alert_type, p in measured[:TYPES_SHOWN]:
        line = f"• {code(alert_type, 60)}: {spread(p)}"
        if sum(len(x) + 1 for x in lines) + len(line) > SECTION_LIMIT - 200:
            break
        lines.append(line)
    rest = (f"\n_showing the slowest {len(lines)} of {len(measured)} alert types; "
            f"`agentops stats --json` lists them all_" if len(lines) < len(measured) else "")
    return "*Time to resolve by alert type*\n" + "\n".join(lines) + rest


def window(report: StatsReport) -> str:
    return f"{report.since:%Y-%m-%d %H:%M} – {report.until:%Y-%m-%d %H:%M} UTC"


def stats_message(report: StatsReport) -> tuple[str, Blocks]:
    """The figures; the three charts follow in the message's thread."""
    text = (f"AgentOps stats, last {report.days} days: {report.incidents} incidents, "
            f"time to resolve p50 {duration(report.time_to_resolve.p50)}, auto-fix {percent(report.auto_fix_rate)}")
    counts = (f"{window(report)} · {report.alerts} alerts · {report.incidents} incidents · "
              f"{report.resolved} resolved · {report.escalated} escalated · {report.investigations} investigations")
    return esc(text), [header(f"📊 AgentOps stats — last {report.days} days"), context(esc(counts)),
                       section(timings(report)), section(outcomes(report)), section(agent(report)),
                       section(by_type(report)),
                       context("Charts in the thread: outcomes by week, time to resolve by alert type, "
                               "cost per resolution by week")]


def home_section(report: StatsReport | None) -> Blocks:
    """App Home's key figures for the last 30 days (computed when the tab opens)."""
    if report is None:
        return [section("*Last 30 days*\nAnalytics could not be computed just now; reopen the tab in a minute.")]
    if not report.incidents:
        return [section(f"*Last {report.days} days*\nNo incidents in this window."),
                context("`/agentops stats` posts the figures and charts")]
    figures = (f"*Last {report.days} days* · {report.incidents} incidents · {report.resolved} resolved\n"
               f"MTTD p50 *{duration(report.time_to_detect.p50)}* · "
               f"MTTA p50 *{duration(report.time_to_acknowledge.p50)}*"
               f" · MTTR p50 *{duration(report.time_to_resolve.p50)}*\n"
               f"Auto-fix *{percent(report.auto_fix_rate)}* · escalation *{percent(report.escalation_rate)}* · "
               f"false positive *{percent(report.false_positive_rate)}*\n"
               f"Confidence *{confidence(report.confidence_7d)}* (7 d) · "
               f"*{confidence(report.confidence_30d)}* (30 d) · "
               f"cost per resolution *{usd(report.cost_per_resolved_incident_usd)}*")
    return [section(figures), context("`/agentops stats [days]` posts every figure with charts")]
