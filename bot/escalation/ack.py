"""Acknowledging an alert post: the first person to acknowledge is recorded with the time (time to
acknowledge = post → acknowledgement), audited, and stops its escalation chain; a later one is told who
was first. An incident escalated after it was acknowledged can be acknowledged again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.deps import Deps
from bot.escalation.chain import escalated_subject, post_alerts, raised_severity, raised_since, raised_subject, start_of
from bot.notify import PostRef, post_of
from bot.store.records import Incident, StoredAlert


@dataclass(frozen=True)
class PostMark:
    """What came of someone marking an alert post (acknowledged, "Not a problem"): who was first, when."""

    outcome: str
    fingerprint: str
    alert: StoredAlert | None = None  # as stored after the mark
    by: str = ""  # who marked it (first)
    at: datetime | None = None

    @property
    def post(self) -> PostRef | None:
        return post_of(self.alert) if self.alert is not None else None


@dataclass(frozen=True)
class Acknowledged(PostMark):
    outcome: Literal["acknowledged", "already", "not_firing"]
    time_to_ack_sec: float | None = None


async def acknowledge(deps: Deps, fingerprint: str, user: str, *, via: str, channel: str | None = None,
                      message_ts: str | None = None) -> Acknowledged:
    now = deps.clock.now()
    store = deps.store
    found = await firing_post(deps, fingerprint)
    if found is None:
        await _audit(deps, user, fingerprint, "not_firing", now, {"via": via}, channel, message_ts)
        return Acknowledged("not_firing", fingerprint)
    alert, incident, ids = found
    since = await _renewable_since(deps, incident, now) if incident is not None else None
    won = await asyncio.to_thread(store.escalations.acknowledge, ids, user, now, since)
    shown = await asyncio.to_thread(store.alerts.get, alert.alert_id) or alert
    if not won:
        await _audit(deps, user, fingerprint, "already_acknowledged", now,
                     {"via": via, "acknowledged_by": shown.acked_by}, channel, message_ts)
        return Acknowledged("already", fingerprint, shown, shown.acked_by or "", shown.acked_at)
    posted_at = incident.detected_at if incident is not None else alert.first_seen_at
    seconds = round((now - posted_at).total_seconds(), 1)
    deps.metrics.time_to_ack.observe(max(seconds, 0.0))
    await _audit(deps, user, fingerprint, "acknowledged", now,
                 {"via": via, "time_to_ack_sec": seconds, "incident": incident.incident_id if incident else None},
                 channel, message_ts)
    return Acknowledged("acknowledged", fingerprint, shown, user, now, seconds)


async def firing_post(deps: Deps, fingerprint: str) -> tuple[StoredAlert, Incident | None, list[str]] | None:
    """The firing alert, its incident and the ids of every alert of its post (the lead first); None when
    `fingerprint` is not firing."""
    alert = await asyncio.to_thread(deps.store.alerts.firing, fingerprint)
    if alert is None:
        return None
    incident = await asyncio.to_thread(deps.store.incidents.for_alert, alert.alert_id)
    ids = (await asyncio.to_thread(deps.store.incidents.alert_ids, incident.incident_id) if incident
           else [alert.alert_id])
    return alert, incident, ids


async def _renewable_since(deps: Deps, incident: Incident, now: datetime) -> datetime | None:
    """When the latest chain the post's acknowledgement must cover began (an escalation, or a more severe
    alert joining): an acknowledgement older than that is renewed. None: the first one stands."""
    starts = []
    if incident.status == "escalated":
        starts.append(await start_of(deps.store.escalations, escalated_subject(incident.incident_id)))
    group = await post_alerts(deps.store, incident.incident_id)
    if raised := raised_severity(incident, group):
        seen = await start_of(deps.store.escalations, raised_subject(incident.incident_id, raised))
        starts.append(raised_since(incident, group, raised, seen or now))
    return max((s for s in starts if s is not None), default=None)


async def _audit(deps: Deps, user: str, fingerprint: str, outcome: str, now: datetime, details: dict,
                 channel: str | None, message_ts: str | None) -> None:
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="alert.acknowledge", subject=fingerprint,
                            outcome=outcome, now=now, details=details, channel=channel, message_ts=message_ts)
