"""The incident-report template of incidents/*.md, filled in from an incident's run trace (bot/run_trace.py):
Summary, Severity, a Timeline of the recorded events, Root Cause, Resolution, Lessons Learned and Affected
Components. It is the draft without a Claude key, and the shape a Claude draft is held to.

The Timeline's first alerting line names the alert's metric, and Affected Components its component and
features, because that is what agents/similar.py ranks a past incident by.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

HEADINGS = ("Summary", "Severity", "Timeline", "Root Cause", "Resolution", "Lessons Learned", "Affected Components")
PRIORITY = {"critical": "P1", "warning": "P2"}  # anything milder is P3
_SLUG = re.compile(r"[^a-z0-9]+")


def file_name(incident: dict[str, Any]) -> str:
    """inc_YYYY_MMDD_<alert type>_<component>_<id suffix>.md: the incidents/ corpus's names, unique per incident."""
    match = re.fullmatch(r"INC-(\d{4})-(\d{4})(?:-(\w+))?", incident["incident_id"])
    year, day, suffix = match.groups() if match else ("0000", "0000", incident["incident_id"])
    slug = _SLUG.sub("_", f"{incident['alert_type']} {incident['component']} {suffix or ''}".lower()).strip("_")
    return f"inc_{year}_{day}_{slug[:80]}.md"


def severity_line(severity: str) -> str:
    return f"{PRIORITY.get(severity, 'P3')} ({severity})"


def draft(trace: dict[str, Any]) -> str:
    """The post-mortem of the trace's incident, every section filled from what the store recorded."""
    incident = trace["incident"]
    sections = {"Summary": _summary(trace), "Severity": severity_line(incident["severity"]),
                "Timeline": "\n".join(f"- {at:%H:%M} — {what}" for at, what in timeline(trace)),
                "Root Cause": incident["root_cause"] or "Not diagnosed: nobody recorded a root cause.",
                "Resolution": _resolution(trace), "Lessons Learned": _lessons(trace),
                "Affected Components": ", ".join(affected(trace))}
    return render(incident["incident_id"], sections)


def render(incident_id: str, sections: dict[str, str]) -> str:
    body = "\n\n".join(f"## {heading}\n{sections[heading].strip()}" for heading in HEADINGS)
    return f"# Incident Report: {incident_id}\n\n{body}\n"


def timeline(trace: dict[str, Any]) -> list[tuple[datetime, str]]:
    """The recorded events in time order: alerts, acknowledgements, investigations and their diagnoses,
    approval requests and decisions, actions, escalation steps, resolution."""
    incident, events = trace["incident"], []
    if incident.get("breach_started_at"):
        events.append((incident["breach_started_at"], f"{incident['component']} first breached its "
                                                       f"{incident['alert_type']} rule"))
    for alert in trace["alerts"]:
        events.append((alert["first_seen_at"], f"Alert: {alert['message']}"))
        if alert.get("acked_at"):
            events.append((alert["acked_at"], f"Acknowledged by {alert['acked_by']}"))
    for run in trace["investigations"]:
        who = "automatically" if run["auto"] else f"by {run['requested_by']}"
        events.append((run["started_at"], f"Investigation started {who} ({run['engine'] or 'offline'} investigator)"))
        if run.get("finished_at") and run.get("diagnosis"):
            found = run["diagnosis"]
            events.append((run["finished_at"], f"Diagnosis: {found['root_cause_category'].replace('_', ' ')} "
                                               f"(confidence {found['confidence']:.0%})"))
    for approval in trace["approvals"]:
        events.append((approval["requested_at"], f"Approval requested: {approval['action']} on {approval['target']}"))
        if approval.get("decided_at"):
            by = f" by {approval['decided_by']}" if approval["decided_by"] else ""
            events.append((approval["decided_at"], f"{approval['action']} {approval['status']}{by}"))
        run = approval.get("run") or {}
        if run.get("finished_at"):
            events.append((run["finished_at"], f"{approval['action']} {run['status']}: {_first_line(run['details'])}"))
    for step in trace["escalation"]:
        if step.get("claimed_at") and step.get("outcome") not in (None, "skipped"):
            events.append((step["claimed_at"], f"Escalation step {step['step']}: {step['outcome']}"
                                               + (f" ({step['channel']})" if step.get("channel") else "")))
    if incident.get("resolved_at"):
        events.append((incident["resolved_at"], "Alert resolved: the monitor saw the metrics back within their rules"))
    # once each: every alert of a post carries the post's one acknowledgement
    timed = dict.fromkeys((datetime.fromisoformat(at), what) for at, what in events if at)
    return sorted(timed, key=lambda event: event[0])


def affected(trace: dict[str, Any]) -> list[str]:
    """The incident's components, then the features its investigations found drifting."""
    names = [trace["incident"]["component"], *(a["component"] for a in trace["alerts"])]
    for run in trace["investigations"]:
        for step in run["steps"]:
            if step["kind"] == "tool" and step["name"] == "similar_incidents":
                names += step["arguments"].get("components", [])
                names += [f"feature {f}" for f in step["arguments"].get("features", [])]
    return list(dict.fromkeys(n for n in names if n))


def _summary(trace: dict[str, Any]) -> str:
    incident, diagnosis = trace["incident"], trace["diagnosis"]
    cause = f" {_first_sentence(diagnosis['root_cause'])}" if diagnosis else ""
    took = trace["timings"].get("time_to_resolve_sec")
    if took is None:
        return f"{incident['alert_type'].replace('_', ' ').capitalize()} on {incident['component']}.{cause} " \
               "Not resolved yet."
    done = [a for a in trace["actions"] if a.get("status") == "completed"]
    how = f" by {', '.join(a['action'] for a in done)}." if done else ", without an action by AgentOps."
    resolved = f" Resolved {round(took / 60)} min after the alert"
    return f"{incident['alert_type'].replace('_', ' ').capitalize()} on {incident['component']}.{cause}{resolved}{how}"


def _resolution(trace: dict[str, Any]) -> str:
    if not trace["actions"]:
        return "The alert cleared without an action by AgentOps."
    return "\n".join(f"- {a['action']}: {a['status']} — {_first_line(a.get('details') or '')}"
                     for a in trace["actions"])


def _lessons(trace: dict[str, Any]) -> str:
    """What the record itself shows; people add the rest before publishing."""
    timings, lessons = trace["timings"], []
    if timings.get("time_to_diagnose_sec") is not None:
        lessons.append(f"Diagnosed {round(timings['time_to_diagnose_sec'] / 60)} min after the alert.")
    failed = [a["action"] for a in trace["actions"] if a.get("status") == "failed"]
    if failed:
        lessons.append(f"{', '.join(failed)} failed: check why before relying on it next time.")
    if trace["diagnosis"] and trace["diagnosis"].get("runbook_reference"):
        lessons.append(f"The runbook followed was {trace['diagnosis']['runbook_reference']}.")
    if any(s.get("outcome") == "sent" for s in trace["escalation"]):
        lessons.append("People were paged: see whether the alert could have been handled before escalation.")
    return "\n".join(f"- {line}" for line in lessons or ["Nothing recorded to learn from; add what people saw."])


def _first_sentence(text: str) -> str:
    found = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.DOTALL)
    return (found.group(1) if found else text.strip())[:400]


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:300]
