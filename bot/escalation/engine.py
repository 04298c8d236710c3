"""The escalation engine: a scheduled job that walks each unacknowledged alert post (and each escalated
incident) along its policy's steps, and keeps PagerDuty in step with acknowledgements and resolutions.

Every step is claimed in the state store before it is paged (one row per subject and step), so however
many replicas run the job, each step pages once; each is audited with its outcome. Acknowledging the post
or resolving its alerts stops the chain. An escalated incident (an action failed, every request denied or
expired) starts a chain of its own from the moment the engine first sees it escalated, which a later
acknowledgement stops.

Each chain's first sight is recorded once (its `start` row). A step that fell due well before that (an
incident older than escalation itself, after an upgrade) is skipped, never paged for the past; and when
several steps of a chain fell due long ago at once (the job was off), only the latest is paged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.durations import in_words
from bot.escalation.chain import (
    START,
    Chain,
    escalated_subject,
    post_alerts,
    post_subject,
    raised_severity,
    raised_since,
    raised_subject,
    start_of,
)
from bot.escalation.follow import follow_pagerduty
from bot.escalation.policy import EscalationPolicy, Step
from bot.notify import PostRef
from bot.paging import Event, Page, PageFailed, Pager, ThreadLinks
from bot.store.records import Incident

log = logging.getLogger("agentops.escalation")


class Escalator:
    def __init__(self, deps: Deps, policy: EscalationPolicy, pagers: Mapping[str, Pager],
                 links: ThreadLinks | None, replica: str) -> None:
        self.deps, self.policy, self.pagers, self.links, self.replica = deps, policy, pagers, links, replica

    async def tick(self) -> list[str]:
        """One pass; the `<subject>/<step>` of every page this replica sent or tried. Never raises."""
        done: list[str] = []
        now = self.deps.clock.now()
        store = self.deps.store.escalations
        try:
            incidents = await asyncio.to_thread(store.open_incidents)
        except Exception as error:  # the store is down, say: the next pass tries again
            _failed("escalation pass", error)
            return done
        for incident in incidents:
            try:  # each incident on its own: one that cannot be read or paged never holds up the rest
                for chain in await self._chains(incident, now):
                    done += await self._walk(chain, now)
            except Exception as error:
                _failed(f"escalating {incident.incident_id}", error)
        try:
            done += await follow_pagerduty(self.deps, self.replica, self.lease, self._chains, self._page, now)
        except Exception as error:
            _failed("following PagerDuty", error)
        return done

    @property
    def lease(self) -> timedelta:
        # longer than a page with all its attempts, so a live replica is never overtaken
        return timedelta(seconds=max(120.0, 6 * self.deps.settings.paging_timeout_sec))

    async def _chains(self, incident: Incident, now: datetime) -> list[Chain]:
        store = self.deps.store
        group = await post_alerts(store, incident.incident_id)
        if not group:
            return []
        post = post_subject(incident.incident_id)
        chains = [Chain(post, incident, group, incident.detected_at, "unacknowledged",
                        await self._first_seen(incident, post, now), route=incident.severity)]
        if raised := raised_severity(incident, group):
            subject = raised_subject(incident.incident_id, raised)
            seen = await self._first_seen(incident, subject, now)
            chains.append(Chain(subject, incident, group, raised_since(incident, group, raised, seen),
                                f"a {raised} alert joined the post", seen, route=raised, raised=True))
        escalated = Chain(escalated_subject(incident.incident_id), incident, group, now,
                          "escalated to people (an action failed, or every request was denied or expired)")
        if incident.status == "escalated" and self.policy.route(escalated.severity, incident.component):
            started = await self._first_seen(incident, escalated.subject, now)
            chains.append(replace(escalated, started_at=started, first_seen=started))
        return chains

    async def _first_seen(self, incident: Incident, subject: str, now: datetime) -> datetime:
        """When the engine first saw the chain, recorded once across replicas."""
        store = self.deps.store.escalations
        if start := await start_of(store, subject):
            return start
        if await asyncio.to_thread(store.claim, subject=subject, step=START, channel="none",
                                   fingerprint=incident.fingerprint, replica=self.replica, now=now):
            escalated = subject == escalated_subject(incident.incident_id)
            await asyncio.to_thread(store.finish, subject, START, "sent",
                                    "the incident was escalated" if escalated else "first seen by escalation")
            if escalated:
                await self._audit(incident.fingerprint, "escalation.start", "escalated", now,
                                  {"incident": incident.incident_id})
        return await start_of(store, subject) or now

    @property
    def late(self) -> timedelta:
        """How late a step may be paged: a pass or two behind (a slow pass, a restart), not more."""
        return max(timedelta(minutes=2), timedelta(seconds=2 * self.deps.settings.escalation_interval_sec))

    def _not_paged(self, chain: Chain, due: datetime, latest: datetime) -> str:
        """Why a step due at `due` is skipped ("" when it is paged)."""
        if chain.first_seen is not None and due < chain.first_seen - self.late:
            return f"it fell due {in_words(chain.first_seen - due)} before escalation first saw this alert"
        if due < latest - self.late:
            return "a later step fell due too; only the latest step is paged"
        return ""

    async def _walk(self, chain: Chain, now: datetime) -> list[str]:
        if chain.acknowledged or chain.cleared or await self._all_silenced(chain, now):
            return []
        route = self.policy.route(chain.severity, chain.incident.component)
        if route is None:
            return []
        store = self.deps.store.escalations
        taken = {row.step: row for row in await asyncio.to_thread(store.steps, chain.subject)}
        done = []
        # steps run in order: those due are a prefix, and the last of them fell due latest
        due = [(n, s) for n, s in enumerate(route.steps) if now - chain.started_at >= s.after]
        latest = chain.started_at + due[-1][1].after if due else now
        for number, step in due:
            key, row = str(number), taken.get(str(number))
            if row is None:
                claimed = await asyncio.to_thread(store.claim, subject=chain.subject, step=key, channel=step.channel,
                                                  fingerprint=chain.incident.fingerprint, replica=self.replica,
                                                  now=now)
            else:  # claimed by a replica that died before paging: taken over after the lease
                claimed = row.outcome == "claimed" and await asyncio.to_thread(
                    store.reclaim, subject=chain.subject, step=key, replica=self.replica, now=now,
                    stale_before=now - self.lease)
            if not claimed:
                continue
            if skipped := self._not_paged(chain, chain.started_at + step.after, latest):
                await self._record(chain, key, step, "trigger", "skipped", skipped, now)
            else:
                await self._page(chain, key, step, "trigger", now)
                done.append(f"{chain.subject}/{number}")
        return done

    async def _all_silenced(self, chain: Chain, now: datetime) -> bool:
        firing = [a for a in chain.alerts if a.status == "firing"]
        return bool(firing) and all([await asyncio.to_thread(self.deps.store.silences.active, a.fingerprint, now)
                                     for a in firing])

    async def _page(self, chain: Chain, step_key: str, step: Step, event: Event, now: datetime) -> None:
        pager = self.pagers.get(step.channel)
        if pager is None or not pager.configured:
            outcome, detail = "skipped", f"{step.channel} is not configured"
        else:
            try:
                detail = await pager.send(await self._page_of(chain, step_key, step, event, now))
                outcome = "sent"
            except PageFailed as failure:
                outcome, detail = "failed", str(failure)
            except Exception as error:  # a channel's bug must not stop the chain's other steps
                outcome, detail = "failed", f"{type(error).__name__}"
                log.exception("%s page for %s failed", step.channel, chain.subject)
        await self._record(chain, step_key, step, event, outcome, detail, now)

    async def _record(self, chain: Chain, step_key: str, step: Step, event: Event, outcome: str, detail: str,
                      now: datetime) -> None:
        store = self.deps.store.escalations
        lead = chain.alerts[0]
        await asyncio.to_thread(store.finish, chain.subject, step_key, outcome, detail)
        self.deps.metrics.pages.labels(channel=step.channel, event=event, outcome=outcome).inc()
        await self._audit(lead.fingerprint, f"escalation.{event}", outcome, now, {
            "incident": chain.incident.incident_id, "subject": chain.subject, "step": step_key,
            "channel": step.channel, "detail": detail[:500],
            "unacknowledged_sec": round((now - chain.started_at).total_seconds())})
        if outcome == "failed":
            log.warning("escalation %s step %s (%s) failed: %s", chain.subject, step_key, step.channel, detail[:200])

    async def _page_of(self, chain: Chain, step_key: str, step: Step, event: Event, now: datetime) -> Page:
        lead, incident = chain.alerts[0], chain.incident
        thread = PostRef(incident.slack_channel, incident.slack_ts) if incident.slack_channel and incident.slack_ts \
            else None
        link = await self.links.link_to(thread) if self.links is not None and thread is not None else ""
        firing = [a for a in chain.alerts if a.status == "firing"] or chain.alerts
        summary = "; ".join(a.message for a in firing)  # each names its component
        acked = next((a.acked_by for a in chain.alerts if a.acked_by), "") or ""
        waited = now - chain.started_at
        if event != "trigger" or waited < timedelta(minutes=1):
            why = "posted, not yet acknowledged" if chain.why == "unacknowledged" else chain.why
        else:
            why = f"{chain.why}{'' if chain.why == 'unacknowledged' else '; unacknowledged'} for {in_words(waited)}"
        return Page(key=f"{chain.subject}/{step_key}", chain=chain.subject, event=event,
                    fingerprint=lead.fingerprint, incident_id=incident.incident_id, component=incident.component,
                    environment=self.policy.environment_of(incident.component), severity=chain.severity,
                    summary=summary, why=why, unacked_for=waited, thread=thread, link=link, mention=step.mention,
                    to=step.to or tuple(self.deps.settings.smtp_to), acked_by=acked)

    async def _audit(self, subject: str, action: str, outcome: str, now: datetime, details: dict) -> None:
        await asyncio.to_thread(self.deps.store.audit.record, actor="agentops", action=action, subject=subject,
                                outcome=outcome, now=now, details=details)


def _failed(what: str, error: Exception) -> None:
    log.error("%s failed (%s: %s); the next pass retries", what, type(error).__name__,
              str(error).splitlines()[0][:200] if str(error) else "")
