"""The escalation engine: a scheduled job that walks each unacknowledged alert post (and each escalated
incident) along its policy's steps, and keeps PagerDuty in step with acknowledgements and resolutions.

Every step is claimed in the state store before it is paged (one row per subject and step), so however
many replicas run the job, each step pages once; each is audited with its outcome. Acknowledging the post
or resolving its alerts stops the chain. An escalated incident (an action failed, every request denied or
expired) starts a chain of its own from the moment the engine first sees it escalated, which a later
acknowledgement stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.durations import in_words
from bot.escalation.policy import EscalationPolicy, Step
from bot.notify import PostRef
from bot.paging import Event, Page, PageFailed, Pager, ThreadLinks
from bot.rules import SEVERITY_ORDER
from bot.store.records import Incident, StoredAlert

log = logging.getLogger("agentops.escalation")
START = "start"  # an escalated incident's chain: the row marking when it began


@dataclass(frozen=True)
class Chain:
    """One subject the policy pages for: an alert post, or an incident escalated to people."""

    subject: str
    incident: Incident
    alerts: list[StoredAlert]  # the post's alerts, the lead first
    started_at: datetime
    why: str

    @property
    def severity(self) -> str:
        firing = [a.severity for a in self.alerts if a.status == "firing"] or [self.incident.severity]
        return max(firing, key=lambda s: SEVERITY_ORDER.get(s, 0))

    @property
    def acknowledged(self) -> bool:
        return any(a.acked_at is not None and a.acked_at >= self.started_at for a in self.alerts)

    @property
    def cleared(self) -> bool:
        return self.incident.status == "resolved" or all(a.status == "resolved" for a in self.alerts)


def post_subject(incident_id: str) -> str:
    return f"post:{incident_id}"


def escalated_subject(incident_id: str) -> str:
    return f"escalated:{incident_id}"


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
            done += await self._follow_pagerduty(now)
        except Exception as error:
            _failed("following PagerDuty", error)
        return done

    @property
    def lease(self) -> timedelta:
        # longer than a page with all its attempts, so a live replica is never overtaken
        return timedelta(seconds=max(120.0, 6 * self.deps.settings.paging_timeout_sec))

    async def _chains(self, incident: Incident, now: datetime) -> list[Chain]:
        store = self.deps.store
        ids = await asyncio.to_thread(store.incidents.alert_ids, incident.incident_id)
        group = [a for a in [await asyncio.to_thread(store.alerts.get, i) for i in ids] if a is not None]
        if not group:
            return []
        chains = [Chain(post_subject(incident.incident_id), incident, group, incident.detected_at,
                        "unacknowledged")]
        if incident.status == "escalated" and self.policy.route(chains[0].severity, incident.component):
            started = await self._escalation_start(incident, now)
            chains.append(Chain(escalated_subject(incident.incident_id), incident, group, started,
                                "escalated to people (an action failed, or every request was denied or expired)"))
        return chains

    async def _escalation_start(self, incident: Incident, now: datetime) -> datetime:
        store = self.deps.store.escalations
        subject = escalated_subject(incident.incident_id)
        if await asyncio.to_thread(store.claim, subject=subject, step=START, channel="none",
                                   fingerprint=incident.fingerprint, replica=self.replica, now=now):
            await asyncio.to_thread(store.finish, subject, START, "sent", "the incident was escalated")
            await self._audit(incident.fingerprint, "escalation.start", "escalated", now,
                              {"incident": incident.incident_id})
        rows = await asyncio.to_thread(store.steps, subject)
        return next((r.claimed_at for r in rows if r.step == START), now)

    async def _walk(self, chain: Chain, now: datetime) -> list[str]:
        if chain.acknowledged or chain.cleared or await self._all_silenced(chain, now):
            return []
        route = self.policy.route(chain.severity, chain.incident.component)
        if route is None:
            return []
        store = self.deps.store.escalations
        taken = {row.step: row for row in await asyncio.to_thread(store.steps, chain.subject)}
        done = []
        for number, step in enumerate(route.steps):
            if now - chain.started_at < step.after:
                break  # steps run in order: the rest are later still
            key, row = str(number), taken.get(str(number))
            if row is None:
                claimed = await asyncio.to_thread(store.claim, subject=chain.subject, step=key, channel=step.channel,
                                                  fingerprint=chain.incident.fingerprint, replica=self.replica,
                                                  now=now)
            else:  # claimed by a replica that died before paging: taken over after the lease
                claimed = row.outcome == "claimed" and await asyncio.to_thread(
                    store.reclaim, subject=chain.subject, step=key, replica=self.replica, now=now,
                    stale_before=now - self.lease)
            if claimed:
                await self._page(chain, key, step, "trigger", now)
                done.append(f"{chain.subject}/{number}")
        return done

    async def _all_silenced(self, chain: Chain, now: datetime) -> bool:
        firing = [a for a in chain.alerts if a.status == "firing"]
        return bool(firing) and all([await asyncio.to_thread(self.deps.store.silences.active, a.fingerprint, now)
                                     for a in firing])

    async def _page(self, chain: Chain, step_key: str, step: Step, event: Event, now: datetime) -> None:
        store = self.deps.store.escalations
        pager = self.pagers.get(step.channel)
        lead = chain.alerts[0]
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
        return Page(key=f"{chain.subject}/{step_key}", event=event, fingerprint=lead.fingerprint,
                    incident_id=incident.incident_id, component=incident.component,
                    environment=self.policy.environment_of(incident.component), severity=chain.severity,
                    summary=summary, why=why, unacked_for=waited, thread=thread, link=link, mention=step.mention,
                    to=step.to or tuple(self.deps.settings.smtp_to), acked_by=acked)

    async def _follow_pagerduty(self, now: datetime) -> list[str]:
        """A triggered PagerDuty incident is acknowledged when the post is, and resolved when its alerts are."""
        store = self.deps.store
        done: list[str] = []
        seen: set[str] = set()
        for sent in await asyncio.to_thread(store.escalations.paged, "pagerduty"):
            if sent.subject in seen:
                continue
            seen.add(sent.subject)
            incident = await asyncio.to_thread(store.incidents.get, sent.subject.split(":", 1)[1])
            if incident is None:
                continue
            chains = [c for c in await self._chains(incident, now) if c.subject == sent.subject] or \
                await self._closed_chain(incident, sent.subject, now)
            for chain in chains:
                event: Event | None = "resolve" if chain.cleared else "acknowledge" if chain.acknowledged else None
                key = f"pagerduty:{event}"
                if event is None or key in {r.step for r in await asyncio.to_thread(store.escalations.steps,
                                                                                    chain.subject)}:
                    continue
                if await asyncio.to_thread(store.escalations.claim, subject=chain.subject, step=key,
                                           channel="pagerduty", fingerprint=incident.fingerprint,
                                           replica=self.replica, now=now):
                    await self._page(chain, key, Step(timedelta(0), "pagerduty"), event, now)
                    done.append(f"{chain.subject}/{key}")
        return done

    async def _closed_chain(self, incident: Incident, subject: str, now: datetime) -> list[Chain]:
        """An escalated incident that went back to investigating, or is resolved: still followed to its end."""
        ids = await asyncio.to_thread(self.deps.store.incidents.alert_ids, incident.incident_id)
        group = [a for a in [await asyncio.to_thread(self.deps.store.alerts.get, i) for i in ids] if a is not None]
        rows = await asyncio.to_thread(self.deps.store.escalations.steps, subject)
        started = next((r.claimed_at for r in rows if r.step == START), incident.detected_at)
        return [Chain(subject, incident, group, started, "escalated")] if group else []

    async def _audit(self, subject: str, action: str, outcome: str, now: datetime, details: dict) -> None:
        await asyncio.to_thread(self.deps.store.audit.record, actor="agentops", action=action, subject=subject,
                                outcome=outcome, now=now, details=details)


def _failed(what: str, error: Exception) -> None:
    log.error("%s failed (%s: %s); the next pass retries", what, type(error).__name__,
              str(error).splitlines()[0][:200] if str(error) else "")
