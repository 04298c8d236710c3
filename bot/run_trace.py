"""The run trace of an incident: everything the state store holds on what the bot did and why — the
alerts of its post, each investigation with its steps (tool calls with their inputs and capped outputs,
model calls with token use and cost), the diagnosis, approvals and their decisions, the actions and
their verification, escalation steps, audit entries and the incident's timings — as one JSON document
(`agentops export`; its schema is docs/run-trace.schema.json).

Found by incident id, by an alert's fingerprint (its latest incident) or by investigation id (its
incident, or the investigation alone when it was started from free text). Every string goes through the
redactor: tool outputs and audit details can hold upstream text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.errors import UserFacingError
from bot.escalation.chain import escalated_subject, post_subject, raised_subject
from bot.redact import Redactor
from bot.rules import SEVERITY_ORDER
from bot.store import Store
from bot.store.records import Approval, Incident, Investigation, InvestigationStep, StoredAlert

TRACE_VERSION = 1
OUTPUT_CAP = 4000  # characters of a step's output kept in the trace (the store has them all)
LOOKUPS = ("incident", "alert", "investigation")
HOW_TO_FIND = ("an incident's id is in its alert thread's summary (📋 INC-…) and in the warehouse's INCIDENTS "
               "table; --alert takes an alert's fingerprint (alert_type:component, e.g. model_drift:classifier_v2; "
               "`/agentops alerts` lists the firing ones); an investigation's id is in `agentops export "
               "--incident` output")


class TraceNotFound(UserFacingError):
    """Nothing in the state store goes by the id asked for."""


@dataclass(frozen=True)
class Lookup:
    by: str  # incident | alert | investigation
    value: str


def run_trace(store: Store, lookup: Lookup, now: datetime, redact: Redactor) -> dict[str, Any]:
    """The trace of what `lookup` names; TraceNotFound (saying how to find ids) when nothing does."""
    incident, alone = _find(store, lookup)
    if incident is not None:
        alert_ids = store.incidents.alert_ids(incident.incident_id)
        investigations = store.investigations.for_alerts(alert_ids)
    else:
        assert alone is not None
        alert_ids, investigations = ([alone.alert_id] if alone.alert_id else []), [alone]
    alerts = [a for a in (store.alerts.get(i) for i in alert_ids) if a is not None]
    approvals = store.approvals.of(alert_ids, [i.investigation_id for i in investigations])
    done = [i for i in investigations if i.status == "done" and i.diagnosis]
    trace = {
        "trace_version": TRACE_VERSION, "exported_at": _time(now), "lookup": {"by": lookup.by, "value": lookup.value},
        "incident": _incident(incident) if incident else None,
        "timings": _timings(incident, alerts, investigations),
        "alerts": [_alert(a) for a in alerts],
        "investigations": [_investigation(i, store.investigations.steps(i.investigation_id)) for i in investigations],
        "diagnosis": done[-1].diagnosis if done else None,
        "approvals": [_approval(a) for a in approvals],
        "actions": list(incident.actions) if incident else [],
        "escalation": _escalation(store, incident) if incident else [],
        "audit": _audit(store, incident, alerts, investigations, approvals),
    }
    return redact.deep(trace)  # type: ignore[return-value]


def _find(store: Store, lookup: Lookup) -> tuple[Incident | None, Investigation | None]:
    if lookup.by == "incident":
        incident = store.incidents.get(lookup.value)
        if incident is None:
            raise TraceNotFound(f"no incident {lookup.value!r} in the state store{_recent(store)}; {HOW_TO_FIND}")
        return incident, None
    if lookup.by == "alert":  # its latest alert's incident: the lead's, or the post it joined
        alert = store.alerts.latest(lookup.value)
        incident = store.incidents.for_alert(alert.alert_id) if alert else None
        if incident is None:
            why = "no alert with the fingerprint" if alert is None else "no incident (never posted) for the alert"
            raise TraceNotFound(f"{why} {lookup.value!r}{_recent(store)}; {HOW_TO_FIND}")
        return incident, None
    if lookup.by != "investigation":
        raise ValueError(f"a trace is looked up by one of {', '.join(LOOKUPS)}, not {lookup.by!r}")
    investigation = store.investigations.get(lookup.value)
    if investigation is None:
        raise TraceNotFound(f"no investigation {lookup.value!r} in the state store; {HOW_TO_FIND}")
    incident = store.incidents.for_alert(investigation.alert_id) if investigation.alert_id else None
    return incident, investigation


def _recent(store: Store) -> str:
    recent = store.incidents.recent(5)
    return (" (recent incidents: " + ", ".join(f"{i.incident_id} {i.fingerprint}" for i in recent) + ")") if recent \
        else " (it holds no incidents yet)"


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return round((end - start).total_seconds(), 3) if start and end else None


def _timings(incident: Incident | None, alerts: list[StoredAlert], investigations: list[Investigation]) -> dict:
    """DESIGN §12's measures: detect from the first breaching measurement, the rest from the alert post;
    acknowledged by the Ack button, or else by the first Investigate click (an investigation people asked for)."""
    if incident is None:
        return {"time_to_detect_sec": None, "time_to_acknowledge_sec": None, "time_to_diagnose_sec": None,
                "time_to_act_sec": None, "time_to_resolve_sec": None}
    acked = min((a.first_acked_at for a in alerts if a.first_acked_at), default=None) or \
        min((i.started_at for i in investigations if not i.auto), default=None)
    posted = incident.detected_at
    return {"time_to_detect_sec": _seconds(incident.breach_started_at, posted),
            "time_to_acknowledge_sec": _seconds(posted, acked),
            "time_to_diagnose_sec": _seconds(posted, incident.diagnosed_at),
            "time_to_act_sec": _seconds(posted, incident.acted_at),
            "time_to_resolve_sec": _seconds(posted, incident.resolved_at)}


def _incident(i: Incident) -> dict:
    return {"incident_id": i.incident_id, "lead_alert_id": i.alert_id, "fingerprint": i.fingerprint,
            "alert_type": i.alert_type, "severity": i.severity, "component": i.component, "status": i.status,
            "breach_started_at": _time(i.breach_started_at), "detected_at": _time(i.detected_at),
            "diagnosed_at": _time(i.diagnosed_at), "acted_at": _time(i.acted_at), "resolved_at": _time(i.resolved_at),
            "root_cause": i.root_cause, "slack_channel": i.slack_channel, "slack_ts": i.slack_ts,
            "github_issue": i.github_issue, "warehouse_recorded_at": _time(i.warehouse_recorded_at)}


def _alert(a: StoredAlert) -> dict:
    return {"alert_id": a.alert_id, "fingerprint": a.fingerprint, "alert_type": a.alert_type, "severity": a.severity,
            "component": a.component, "message": a.message, "metrics": a.metrics, "status": a.status,
            "source": a.source, "first_seen_at": _time(a.first_seen_at), "last_seen_at": _time(a.last_seen_at),
            "last_notified_at": _time(a.last_notified_at), "resolved_at": _time(a.resolved_at),
            "acked_by": a.acked_by, "acked_at": _time(a.acked_at), "slack_channel": a.slack_channel,
            "slack_ts": a.slack_ts}


def _investigation(i: Investigation, steps: list[InvestigationStep]) -> dict:
    return {"investigation_id": i.investigation_id, "alert_id": i.alert_id, "trigger": i.trigger,
            "requested_by": i.requested_by, "auto": i.auto, "status": i.status, "engine": i.engine,
            "started_at": _time(i.started_at), "finished_at": _time(i.finished_at),
            "duration_sec": _seconds(i.started_at, i.finished_at), "attempts": i.attempts,
            "usage": {"input_tokens": i.input_tokens, "cached_input_tokens": i.cached_input_tokens,
                      "cache_write_tokens": i.cache_write_tokens, "output_tokens": i.output_tokens,
                      "cost_usd": i.cost_usd},
            "diagnosis": i.diagnosis, "steps": [_step(s) for s in steps]}


def _step(s: InvestigationStep) -> dict:
    step: dict[str, Any] = {"seq": s.seq, "kind": s.kind, "turn": s.turn, "name": s.name,
                            "duration_ms": s.duration_ms, "is_error": s.is_error, "error": s.error[:OUTPUT_CAP]}
    if s.kind == "tool":
        step |= {"arguments": s.arguments or {}, "output": s.output[:OUTPUT_CAP],
                 "output_chars": len(s.output), "output_truncated": len(s.output) > OUTPUT_CAP}
    else:
        step |= {"stop_reason": s.stop_reason, "input_tokens": s.input_tokens,
                 "cache_write_tokens": s.cache_write_tokens, "cache_read_tokens": s.cache_read_tokens,
                 "output_tokens": s.output_tokens, "cost_usd": s.cost_usd}
    return step


def _approval(a: Approval) -> dict:
    run = None if a.action_status is None else {
        "status": a.action_status, "details": a.action_details, "started_at": _time(a.action_started_at),
        "finished_at": _time(a.action_finished_at), "training_run_id": a.action_run_id,
        "expected_version": a.action_expected}
    return {"request_id": a.request_id, "action": a.action, "target": a.target, "reason": a.reason,
            "proposed_by": a.proposed_by, "requested_by": a.requested_by, "investigation_id": a.investigation_id,
            "alert_id": a.alert_id, "requested_at": _time(a.requested_at), "expires_at": _time(a.expires_at),
            "status": a.status, "decided_by": a.decided_by, "decided_at": _time(a.decided_at), "run": run}


def _escalation(store: Store, incident: Incident) -> list[dict]:
    subjects = [post_subject(incident.incident_id), escalated_subject(incident.incident_id),
                *(raised_subject(incident.incident_id, level) for level in SEVERITY_ORDER if level != "healthy")]
    return [{"subject": s.subject, "step": s.step, "channel": s.channel, "claimed_by": s.claimed_by,
             "claimed_at": _time(s.claimed_at), "outcome": s.outcome, "detail": s.detail}
            for subject in subjects for s in store.escalations.steps(subject)]


def _audit(store: Store, incident: Incident | None, alerts: list[StoredAlert], investigations: list[Investigation],
           approvals: list[Approval]) -> list[dict]:
    """Entries about the incident's requests and investigations, and about its fingerprints from its post on,
    until the next incident of the same fingerprint (a fingerprint names every incident it ever had)."""
    ids = [*(a.request_id for a in approvals), *(i.investigation_id for i in investigations)]
    entries = store.audit.about([incident.incident_id, *ids] if incident else ids)
    if incident is not None:
        later = [i.detected_at for i in store.incidents.of_fingerprint(incident.fingerprint)
                 if i.detected_at > incident.detected_at]
        entries += store.audit.about({a.fingerprint for a in alerts} | {incident.fingerprint},
                                     since=incident.detected_at, until=min(later, default=None))
    return [{"id": e.id, "at": _time(e.at), "actor": e.actor, "action": e.action, "subject": e.subject,
             "outcome": e.outcome, "details": e.details, "channel": e.channel, "message_ts": e.message_ts}
            for e in sorted(entries, key=lambda e: e.id)]
