"""Marking an alert post "Not a problem": a false positive, counted by the false-positive rate. The first
person to mark it is recorded with the time on every alert of the post (across replicas, exactly once),
audited, and the post is acknowledged too, through the Acknowledge path, so its escalation chain stops.
A later clicker is told who was first."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.deps import Deps
from bot.escalation.ack import PostMark, acknowledge, firing_post
from bot.notify import post_of
from bot.store.records import Incident, StoredAlert


@dataclass(frozen=True)
class MarkedNotAProblem(PostMark):
    outcome: Literal["marked", "already", "not_firing"]


async def mark_not_a_problem(deps: Deps, fingerprint: str, user: str, *, via: str, channel: str | None = None,
                             message_ts: str | None = None) -> MarkedNotAProblem:
    now = deps.clock.now()
    store = deps.store
    found = await _clicked_post(deps, fingerprint, channel, message_ts)
    if found is None:
        await _audit(deps, user, fingerprint, "not_firing", now, {"via": via}, channel, message_ts)
        return MarkedNotAProblem("not_firing", fingerprint)
    alert, incident, ids = found
    won = await asyncio.to_thread(store.alerts.mark_not_problem, ids, user, now)
    if not won:
        lead: StoredAlert | None = await asyncio.to_thread(store.alerts.get, ids[0])
        first = lead or alert
        await _audit(deps, user, fingerprint, "already_marked", now,
                     {"via": via, "marked_by": first.not_problem_by}, channel, message_ts)
        return MarkedNotAProblem("already", fingerprint, first, first.not_problem_by or "", first.not_problem_at)
    await _audit(deps, user, fingerprint, "marked", now,
                 {"via": via, "incident": incident.incident_id if incident else None}, channel, message_ts)
    # a false positive needs nobody paged: the acknowledgement (first one only) stops the chain; a post
    # that cleared by itself has no chain left to stop
    if alert.status == "firing":
        await acknowledge(deps, fingerprint, user, via="not_a_problem", channel=channel, message_ts=message_ts)
    latest: StoredAlert | None = await asyncio.to_thread(store.alerts.get, alert.alert_id)
    shown = latest or alert
    post = post_of(shown)
    if post is not None:
        sharing = await asyncio.to_thread(store.alerts.sharing_post, post.channel, post.ts)
        await deps.announcer.alert_changed(post, shown.component, sharing)
    return MarkedNotAProblem("marked", fingerprint, shown, user, now)


async def _clicked_post(deps: Deps, fingerprint: str, channel: str | None, message_ts: str | None,
                        ) -> tuple[StoredAlert, Incident | None, list[str]] | None:
    """The alert clicked on its post (found by the post, so one that already cleared can be marked: a
    flapping false positive), its incident and the ids of every alert of the post; without the post, the
    firing alert's."""
    if channel and message_ts:
        sharing = await asyncio.to_thread(deps.store.alerts.sharing_post, channel, message_ts)
        alert = next((a for a in reversed(sharing) if a.fingerprint == fingerprint), None)
        if alert is not None:
            incident = await asyncio.to_thread(deps.store.incidents.for_alert, alert.alert_id)
            ids = (await asyncio.to_thread(deps.store.incidents.alert_ids, incident.incident_id) if incident
                   else [a.alert_id for a in sharing])
            return alert, incident, ids
    return await firing_post(deps, fingerprint)


async def _audit(deps: Deps, user: str, fingerprint: str, outcome: str, now: datetime, details: dict,
                 channel: str | None, message_ts: str | None) -> None:
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="alert.not_a_problem", subject=fingerprint,
                            outcome=outcome, now=now, details=details, channel=channel, message_ts=message_ts)
