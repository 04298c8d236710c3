"""An incident in words for the places outside chat that keep it: the GitHub issue and its comments,
and the INCIDENTS row's resolution; plus SPEC §6's timings (time to detect, to diagnose, to act)."""

from __future__ import annotations

from agents.diagnosis import Diagnosis
from bot.store.records import Approval, Incident


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def timings(incident: Incident) -> str:
    return (f"time to detect {duration(incident.time_to_detect_sec)} · to diagnose "
            f"{duration(incident.time_to_diagnose_sec)} · to act {duration(incident.time_to_act_sec)}")


def resolution_text(incident: Incident) -> str:
    """What was done, for the INCIDENTS row and the issue: each action with its outcome."""
    if not incident.actions:
        return "cleared without an action by AgentOps"
    return "; ".join(f"{a['action']} {a['status']}: {a['details']}" for a in incident.actions)[:4000]


def issue_text(incident: Incident, diagnosis: Diagnosis) -> tuple[str, str]:
    title = f"[{incident.incident_id}] {incident.alert_type} on {incident.component}: " \
            f"{diagnosis.root_cause_category.replace('_', ' ')}"
    evidence = "\n".join(f"- {line}" for line in diagnosis.evidence)
    actions = "\n".join(f"{a.priority}. `{a.action}` on {a.target}" + (" (needs approval)" if a.requires_approval
                                                                         else "")
                        + (f" — {a.condition}" if a.condition else "") for a in diagnosis.recommended_actions)
    body = (f"**Incident** {incident.incident_id} · severity {incident.severity} · `{incident.fingerprint}`\n"
            f"**Detected** {incident.detected_at:%Y-%m-%d %H:%M} UTC (breach since "
            f"{incident.breach_started_at:%H:%M} UTC)\n\n"
            f"## Root cause ({diagnosis.confidence:.0%})\n{diagnosis.root_cause}\n\n## Evidence\n{evidence}\n\n"
            f"## Proposed actions\n{actions}\n\nActions that need approval are decided in the Slack thread.\n\n"
            f"Runbook: `{diagnosis.runbook_reference}` · similar incidents: "
            f"{', '.join(diagnosis.similar_incidents) or 'none'}")
    return title[:250], body


def action_comment(approval: Approval, status: str, details: str) -> str:
    who = f" (approved by {approval.decided_by})" if approval.status == "approved" else ""
    return f"**{approval.action}** on {approval.target}: **{status}**{who}\n\n{details}"


def resolution_comment(incident: Incident) -> str:
    return (f"Resolved at {incident.resolved_at:%Y-%m-%d %H:%M} UTC: the alert no longer fires.\n\n"
            f"{timings(incident)}\n\nActions: {resolution_text(incident)}")
