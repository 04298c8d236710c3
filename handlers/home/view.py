"""The App Home tab as a pure builder: fleet health, the last 30 days' figures, firing alerts, pending
approvals, incidents, investigations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.analytics.report import StatsReport
from bot.fleet import ComponentHealth
from bot.remediation.incident_text import timings
from bot.store.records import Approval, Incident, Investigation, StoredAlert
from handlers.approval_blocks import headline
from handlers.blocks import SECTION_LIMIT, alert_line, context, header, health_sections, section
from handlers.mrkdwn import code, esc, when
from handlers.stats_blocks import home_section

MAX_ROWS = 10


@dataclass(frozen=True)
class HomeData:
    components: list[ComponentHealth] | None
    warehouse_error: str | None
    alerts: list[StoredAlert]
    approvals: list[Approval]
    investigations: list[Investigation]
    store_ok: bool
    socket_connected: bool
    now: datetime
    incidents: list[Incident] = field(default_factory=list)
    read_at: datetime | None = None  # when `components` were read (older than now during an outage)
    stats: StatsReport | None = None  # the last 30 days; None when they could not be computed


def _listing(title: str, lines: list[str], empty: str, rest: str = "") -> dict:
    if not lines:
        return section(f"*{title}*\n{empty}")
    shown: list[str] = []
    for line in lines[:MAX_ROWS]:  # whole lines: a section cut at its limit could end inside a date token
        if sum(len(x) + 1 for x in shown) + len(line) > SECTION_LIMIT - 100:
            break
        shown.append(line)
    more = f"\n…and {len(lines) - len(shown)} more{rest}" if len(lines) > len(shown) else ""
    return section(f"*{title}*\n" + "\n".join(shown) + more)


def approval_line(approval: Approval) -> str:
    # the diagnosis in one line, as in the request itself (the whole root cause crowds the tab)
    return (f"⏳ {code(approval.action)} on *{esc(approval.target)}* — {esc(headline(approval.reason)[0])} "
            f"_(expires {when(approval.expires_at)})_")


def incident_line(incident: Incident) -> str:
    return (f"• {esc(incident.incident_id)} {code(incident.fingerprint)} — *{incident.status.replace('_', ' ')}* · "
            f"{timings(incident)}")


def investigation_line(investigation: Investigation) -> str:
    category = (investigation.diagnosis or {}).get("root_cause_category", "")
    outcome = f" → {esc(category)}" if category else ""
    trigger = investigation.trigger if len(investigation.trigger) <= 80 else investigation.trigger[:79] + "…"
    return f"• {investigation.started_at:%m-%d %H:%M} {investigation.status}{outcome}: {esc(trigger)}"


def _remembered(data: HomeData) -> list[dict]:
    if not data.store_ok:  # nothing to list is not "none": say why the lists are missing
        return [section("⚠️ *State store unreachable* — firing alerts, approvals, incidents and investigations "
                        "cannot be read right now. The bot keeps sweeping; reopen the tab in a minute.")]
    return [
        _listing("Firing alerts", [alert_line(a, data.now) for a in data.alerts], "None — all quiet.",
                 " · `/agentops alerts` pages through them all"),
        _listing("Pending approvals", [approval_line(a) for a in data.approvals], "Nothing waiting for a decision."),
        _listing("Recent incidents", [incident_line(i) for i in data.incidents], "None yet."),
        _listing("Recent investigations", [investigation_line(i) for i in data.investigations],
                 esc("None yet. Try `/agentops investigate <what you see>`.")),
    ]


def home_view(data: HomeData) -> dict:
    ok = {True: "🟢", False: "🔴"}
    warehouse_ok = data.warehouse_error is None
    blocks = [
        header("AgentOps — ML operations"),
        *health_sections(data.components, data.warehouse_error, data.read_at),
        section(f"*System*\n{ok[warehouse_ok]} warehouse · {ok[data.store_ok]} state store · "
                f"{ok[data.socket_connected]} Slack connection"),
        {"type": "divider"},
        *(home_section(data.stats) if data.store_ok else []),
        *_remembered(data),
        context(f"Updated {when(data.now)} · reopen the tab to refresh"),
    ]
    return {"type": "home", "blocks": blocks}
