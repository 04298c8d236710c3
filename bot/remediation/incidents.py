"""The incident lifecycle as the announcer, GitHub and the warehouse see it: one incident per alert
post (the alerts of one component posted together, as Alertmanager's group_by), resolved when the
whole group has cleared.

open (alert posted) → investigating → awaiting_approval → remediating → resolved | escalated.
Every transition is a compare-and-set in the state store; GitHub and the INCIDENTS row follow it,
and neither GitHub nor the warehouse being down ever stops the lifecycle (they are retried or noted).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from agents.diagnosis import GATED_ACTIONS, Diagnosis
from bot.clock import naive_utc
from bot.deps import Deps
from bot.notify import post_of
from bot.postmortems import drafting as postmortems
from bot.remediation import incident_text
from bot.rules import SEVERITY_ORDER
from bot.store.records import Approval, Incident, StoredAlert
from bot.tracker import TrackerError
from bot.warehouse import WarehouseError

log = logging.getLogger("agentops.incidents")

RECORD_INCIDENT = """
INSERT INTO INCIDENTS (incident_id, timestamp, alert_type, severity, affected_component, root_cause, resolution,
                       duration_minutes, status)
SELECT %(incident_id)s, %(detected_at)s::TIMESTAMP_NTZ, %(alert_type)s, %(severity)s, %(component)s,
       %(root_cause)s, %(resolution)s, %(duration_minutes)s, 'resolved'
WHERE NOT EXISTS (SELECT 1 FROM INCIDENTS WHERE incident_id = %(incident_id)s)"""


async def opened(deps: Deps, group: list[StoredAlert], breach_started_at: datetime, now: datetime) -> None:
    """One incident for the alerts of one post, filed under the first (the most severe: the caller's order)."""
    lead = group[0]
    await asyncio.to_thread(deps.store.incidents.open, alert_ids=[a.alert_id for a in group],
                            fingerprint=lead.fingerprint, alert_type=lead.alert_type,
                            severity=max((a.severity for a in group), key=SEVERITY_ORDER.__getitem__),
                            component=lead.component, breach_started_at=breach_started_at, now=now,
                            slack_channel=lead.slack_channel, slack_ts=lead.slack_ts)


async def lead_alert(deps: Deps, alert_id: str) -> str:
    """The alert an incident is filed under, for any alert of its post (the alert itself when it has none)."""
    incident = await asyncio.to_thread(deps.store.incidents.for_alert, alert_id)
    return incident.alert_id if incident is not None else alert_id


async def investigating(deps: Deps, alert_id: str, now: datetime) -> None:
    incident = await _for_alert(deps, alert_id, now)
    if incident is not None:
        await asyncio.to_thread(deps.store.incidents.advance, incident.incident_id, "investigating",
                                from_statuses=("open", "escalated"))


async def diagnosed(deps: Deps, alert_id: str, diagnosis: Diagnosis, now: datetime) -> None:
    """Diagnosis in: awaiting approval if something gated was proposed, else escalated to people; the issue
    opens. Called before the approval requests are posted, so every action finds the issue to comment on."""
    incident = await _for_alert(deps, alert_id, now)
    if incident is None:
        return
    gated = any(a.action in GATED_ACTIONS for a in diagnosis.recommended_actions)
    status = "awaiting_approval" if gated else "escalated"
    values = {"root_cause": diagnosis.root_cause[:2000]}
    if incident.diagnosed_at is None:
        values["diagnosed_at"] = now  # type: ignore[assignment]
    if status == "escalated":
        values["escalated_at"] = now  # type: ignore[assignment]
    await asyncio.to_thread(deps.store.incidents.advance, incident.incident_id, status,
                            from_statuses=("open", "investigating", "escalated"), **values)
    if deps.tracker is None:
        return
    title, body = incident_text.issue_text(incident, diagnosis)
    try:
        number = await asyncio.to_thread(deps.tracker.ensure_issue, incident.incident_id, title, body,
                                         incident.detected_at)
    except TrackerError as error:
        log.warning("no GitHub issue for %s: %s", incident.incident_id, error)
        return
    await asyncio.to_thread(deps.store.incidents.set_github_issue, incident.incident_id, number)


async def action_started(deps: Deps, approval: Approval, now: datetime) -> None:
    incident = await _for_approval(deps, approval)
    if incident is not None:
        await asyncio.to_thread(deps.store.incidents.advance, incident.incident_id, "remediating")
        await asyncio.to_thread(deps.store.incidents.mark_acted, incident.incident_id, now)


async def action_recorded(deps: Deps, approval: Approval, status: str, details: str, now: datetime) -> None:
    """The action's outcome on the incident and its issue; a failure leaves the incident open, escalated to
    people. Called while the action still counts as running, so no sweep can resolve the incident (and
    close its issue) before the outcome is on it."""
    incident = await _for_approval(deps, approval)
    if incident is None:
        return
    await asyncio.to_thread(deps.store.incidents.add_action, incident.incident_id, approval.action, status,
                            details, now, approval.request_id)
    if status == "failed":
        await asyncio.to_thread(deps.store.incidents.advance, incident.incident_id, "escalated", escalated_at=now)
    await _comment(deps, incident, f"action:{approval.request_id}",
                   incident_text.action_comment(approval, status, details))


async def action_finished(deps: Deps, approval: Approval, now: datetime) -> None:
    """After the action stopped running: the resolution a sweep deferred while it ran, if its group cleared."""
    incident = await _for_approval(deps, approval)
    if incident is None:
        return
    group = await _group(deps, incident)
    if group and all(a.status == "resolved" for a in group):
        # never before the alerts themselves cleared: a sweep can resolve one just after `now` was read
        await resolved(deps, group[0], max([now, *(a.resolved_at or now for a in group)]))


async def approval_closed(deps: Deps, approval: Approval, now: datetime) -> None:
    """Denied or expired: recorded as skipped; with nothing left pending or approved, people take over."""
    incident = await _for_approval(deps, approval)
    if incident is None:
        return
    how = "expired" if approval.status == "expired" else f"denied by {approval.decided_by}"
    await asyncio.to_thread(deps.store.incidents.add_action, incident.incident_id, approval.action, "skipped",
                            how, now, approval.request_id)
    others = await _approvals(deps, incident)
    if not any(a.status in ("pending", "approved") for a in others):
        await asyncio.to_thread(deps.store.incidents.advance, incident.incident_id, "escalated", escalated_at=now)
    await _comment(deps, incident, f"action:{approval.request_id}",
                   incident_text.action_comment(approval, "skipped", how))


async def resolved(deps: Deps, alert: StoredAlert, now: datetime) -> Incident | None:
    """The alert cleared: once its whole group has, resolve the incident once, summarize it in the thread,
    record and close it."""
    found = await asyncio.to_thread(deps.store.incidents.for_alert, alert.alert_id)
    if found is None:
        return None
    group = await _group(deps, found)
    if any(a.status != "resolved" for a in group if a.alert_id != alert.alert_id):
        return None  # the rest of its post still fires: the incident goes on
    if any(a.action_status == "running" for a in await _approvals(deps, found)):
        return None  # a retrain's model can clear the alert before its run is verified: resolved after it
    if not await asyncio.to_thread(deps.store.incidents.advance, found.incident_id,
                                                    "resolved", resolved_at=now):
        return None  # no incident, or another replica resolved it
    incident = await asyncio.to_thread(deps.store.incidents.get, found.incident_id)
    assert incident is not None
    await record(deps, incident, now)
    if incident.github_issue and deps.tracker is not None:
        try:
            await asyncio.to_thread(deps.tracker.close, incident.github_issue, "resolved",
                                    incident_text.resolution_comment(incident))
        except TrackerError as error:
            log.warning("could not close issue #%s for %s: %s", incident.github_issue, incident.incident_id, error)
    thread = post_of(alert)
    if thread is not None and (incident.diagnosed_at or incident.actions):
        await deps.announcer.incident_resolved(incident, thread)
        postmortems.incident_resolved(deps, incident, thread)  # drafted in the background, posted to the thread
    return incident


async def record(deps: Deps, incident: Incident, now: datetime) -> bool:
    """The INCIDENTS row, written at most once (the statement checks for it); False while the warehouse is down."""
    params = {"incident_id": incident.incident_id, "detected_at": naive_utc(incident.detected_at).isoformat(),
              "alert_type": incident.alert_type, "severity": incident.severity, "component": incident.component,
              "root_cause": incident.root_cause or "", "resolution": incident_text.resolution_text(incident),
              "duration_minutes": round(((incident.resolved_at or now) - incident.detected_at).total_seconds() / 60)}
    try:
        await asyncio.to_thread(deps.warehouse.execute, RECORD_INCIDENT, params, idempotent=True)
    except WarehouseError as error:
        log.warning("INCIDENTS row for %s not written yet (%s); retried on the next sweep", incident.incident_id,
                    error)
        return False
    await asyncio.to_thread(deps.store.incidents.mark_recorded, incident.incident_id, now)
    return True


async def record_pending(deps: Deps, now: datetime) -> None:
    """Resolved incidents whose row the warehouse missed (it was down): written now."""
    for incident in await asyncio.to_thread(deps.store.incidents.resolved_unrecorded):
        if not await record(deps, incident, now):
            return


async def _for_alert(deps: Deps, alert_id: str, now: datetime) -> Incident | None:
    """The alert's incident; one posted before incidents existed is opened on first use, for its post's group."""
    incident = await asyncio.to_thread(deps.store.incidents.for_alert, alert_id)
    if incident is not None:
        return incident
    alert = await asyncio.to_thread(deps.store.alerts.get, alert_id)
    if alert is None:
        return None
    post = post_of(alert)
    group = await asyncio.to_thread(deps.store.alerts.sharing_post, post.channel, post.ts) if post else [alert]
    alone = [a for a in group if a.alert_id != alert_id
             and await asyncio.to_thread(deps.store.incidents.for_alert, a.alert_id) is None]
    await opened(deps, [alert, *alone], alert.first_seen_at, now)
    return await asyncio.to_thread(deps.store.incidents.for_alert, alert_id)


async def _group(deps: Deps, incident: Incident) -> list[StoredAlert]:
    """The alerts of the incident's post, the lead first."""
    ids = await asyncio.to_thread(deps.store.incidents.alert_ids, incident.incident_id)
    found = [await asyncio.to_thread(deps.store.alerts.get, alert_id) for alert_id in ids]
    return [a for a in found if a is not None]


async def _approvals(deps: Deps, incident: Incident) -> list[Approval]:
    """Requests proposed by an investigation of any alert of the group."""
    ids = await asyncio.to_thread(deps.store.incidents.alert_ids, incident.incident_id)
    return [a for alert_id in ids for a in await asyncio.to_thread(deps.store.approvals.for_alert, alert_id)]


async def _for_approval(deps: Deps, approval: Approval) -> Incident | None:
    if approval.alert_id is None:
        return None  # proposed by an on-demand investigation: no alert, no incident
    return await asyncio.to_thread(deps.store.incidents.for_alert, approval.alert_id)


async def _comment(deps: Deps, incident: Incident, key: str, body: str) -> None:
    if deps.tracker is None or incident.github_issue is None:
        return
    try:
        await asyncio.to_thread(deps.tracker.comment, incident.github_issue, key, body)
    except TrackerError as error:
        log.warning("could not comment on issue #%s: %s", incident.github_issue, error)
