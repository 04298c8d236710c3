"""Keeps the alert channel in step with a sweep: post new alerts once, re-notify on the repeat
interval, note severity changes, mark resolutions — exactly once across replicas, because every
step is a claim in the state store before it is announced."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from bot import auto_investigate
from bot.deps import Deps
from bot.monitor.heartbeat import claims_renewed
from bot.monitor.sweep import Alert, SweepResult
from bot.notify import PostRef, post_of
from bot.remediation import incidents
from bot.rules import ALERT_TYPES, SEVERITY_ORDER
from bot.store.records import StoredAlert

log = logging.getLogger("agentops.monitor")
POST_LEASE_SEC = 15.0


def _cause_rank(alert_type: str) -> int:
    return ALERT_TYPES.index(alert_type) if alert_type in ALERT_TYPES else len(ALERT_TYPES)


class Notifier:
    def __init__(self, deps: Deps, replica: str) -> None:
        self.deps, self.replica = deps, replica

    # a live replica renews its post claims every lease/4 while it posts (claims_renewed), so the lease
    # only says how soon a dead replica's claim is taken over
    lease = timedelta(seconds=POST_LEASE_SEC)

    async def apply(self, firing: dict[str, Alert], result: SweepResult | None, now: datetime) -> None:
        """`result` is None when the warehouse could not be read: then nothing else is resolved.

        Each alert is its own unit of work: one that cannot be stored or announced (a name the store
        refuses, a post Slack rejects) is logged and counted, and retried by the next sweep, while
        every other alert of the sweep goes out. Only alerts the sweep raised are followed here: an
        ingested alert is resolved by its sender, never by a sweep that does not know it."""
        stored = await self._open(firing, now, source="warehouse")
        retry_until = self._retry_until()
        await self._post_unposted([a for fp, a in stored.items() if fp in firing and a.slack_ts is None], firing, now,
                                  retry_until)
        redraw: dict[PostRef, StoredAlert] = {}  # each post is edited once per sweep
        await self._post_left_ingested(now, redraw, retry_until)
        for fingerprint, current in stored.items():
            post = post_of(current)
            if post is None:
                continue
            async with self._isolated(fingerprint, "follow_up"):
                if await self._follow(current, firing.get(fingerprint), result, now):
                    redraw[post] = current
        await self._redraw(redraw)

    async def apply_ingested(self, firing: dict[str, Alert], resolved: set[str], group_key: str,
                             now: datetime) -> list[str]:
        """One notification from an external sender (Alertmanager, Grafana, a generic alert): new alerts
        posted at once, the alerts of one group in one post; a resend is a repeat, not a second post;
        `resolved` fingerprints are resolved — only those ingest raised. Returns the fingerprints not yet
        done (not stored, not posted, not resolved): the sender is asked to retry, and its retry finishes
        them (the claims keep a retry from posting twice)."""
        stored = await self._open(firing, now, source="ingest", group_key=group_key, among=set(firing) | resolved)
        unposted = [a for fp, a in stored.items() if fp in firing and a.slack_ts is None]
        redraw: dict[PostRef, StoredAlert] = {}
        if await self._join_group(unposted, group_key, now, redraw):
            await self._post_group(group_key, firing, now, redraw, self._retry_until())
        for fingerprint, current in stored.items():
            post = post_of(current)
            if post is None:
                if fingerprint in resolved:  # never shown (silenced, or its post failed): closed quietly
                    await asyncio.to_thread(self.deps.store.alerts.resolve, fingerprint, now, "ingest")
                continue
            async with self._isolated(fingerprint, "follow_up"):
                if fingerprint in firing:
                    if await self._follow_up(current, firing[fingerprint], now):
                        redraw[post] = current
                elif fingerprint in resolved and await self._resolve(current, {}, now):
                    redraw[post] = current
        await self._redraw(redraw)
        return await self._unfinished(firing, resolved, now)

    async def apply_own(self, firing: dict[str, Alert], recovered: dict[str, dict[str, float]], now: datetime,
                        source: str) -> None:
        """Alerts the bot raises about itself (agent health): posted, repeated and resolved as a sweep's are,
        under their own `source`, so neither a sweep nor an ingest sender ever resolves them. `recovered`:
        the fingerprints back within their thresholds, with the values they are back at."""
        stored = await self._open(firing, now, source=source, among=set(firing) | set(recovered))
        await self._post_unposted([a for fp, a in stored.items() if fp in firing and a.slack_ts is None], firing, now,
                                  self._retry_until())
        redraw: dict[PostRef, StoredAlert] = {}
        for fingerprint, current in stored.items():
            post = post_of(current)
            async with self._isolated(fingerprint, "follow_up"):
                if post is None:
                    if fingerprint in recovered:  # never shown (silenced, or its post failed): closed quietly
                        await asyncio.to_thread(self.deps.store.alerts.resolve, fingerprint, now, source)
                elif fingerprint in firing:
                    if await self._follow_up(current, firing[fingerprint], now):
                        redraw[post] = current
                elif await self._resolve(current, recovered[fingerprint], now):
                    redraw[post] = current
        await self._redraw(redraw)

    async def _post_left_ingested(self, now: datetime, redraw: dict[PostRef, StoredAlert], retry_until: float) -> None:
        """Ingested alerts stored but never posted (their request's replica died, or the sender gave up): the
        sweep posts them as their request would have, by the same group claim, once they are a lease old
        (a live request has had its turn; a post claim still held is skipped)."""
        left = [a for a in await asyncio.to_thread(self.deps.store.alerts.list_firing, "ingest")
                if a.slack_ts is None and now - a.first_seen_at >= self.lease]
        groups: dict[str, dict[str, Alert]] = defaultdict(dict)
        for alert in left:
            groups[alert.group_key or alert.component][alert.fingerprint] = Alert(
                alert.alert_id, alert.fingerprint, alert.severity, alert.alert_type,  # type: ignore[arg-type]
                alert.component, alert.metrics, alert.message, alert.last_seen_at, alert.first_seen_at)
        for group_key, firing in groups.items():
            async with self._isolated(next(iter(firing)), "post"):
                await self._post_group(group_key, firing, now, redraw, retry_until)

    def _retry_until(self) -> float:
        """One deadline for every post of a sweep (or an ingest request) while the chat is down: however many
        groups are new, the sweep ends within its interval, and the next sweep tries again."""
        return time.monotonic() + self.deps.settings.monitor_poll_interval_sec

    async def _post_group(self, group_key: str, firing: dict[str, Alert], now: datetime,
                          redraw: dict[PostRef, StoredAlert], retry_until: float) -> None:
        """Replicas may take one group's notification at once (a resend, a load balancer): the one holding the
        group's claim posts; another leaves its alerts unposted, answered as pending, and the sender's retry
        joins them to that post."""
        groups = self.deps.store.ingest_groups
        if not await asyncio.to_thread(groups.claim, group_key, self.replica, now, self.lease):
            return
        try:  # read again under the claim: what another replica opened or posted meanwhile is seen
            fresh = await asyncio.to_thread(self.deps.store.alerts.firing_of, set(firing), "ingest")
            unposted = await self._join_group([a for a in fresh if a.slack_ts is None], group_key, now, redraw)
            await self._post_unposted(unposted, firing, now, retry_until, group_of=lambda a: a.group_key or a.component,
                                      group_claim=group_key)
        finally:
            await asyncio.to_thread(groups.release, group_key, self.replica)

    async def _unfinished(self, firing: dict[str, Alert], resolved: set[str], now: datetime) -> list[str]:
        after = {a.fingerprint: a for a in await asyncio.to_thread(self.deps.store.alerts.firing_of,
                                                                   set(firing) | resolved)}
        pending = [fp for fp in resolved if fp in after and after[fp].source == "ingest"]
        for fingerprint in firing:
            alert = after.get(fingerprint)
            if alert is None or (alert.source == "ingest" and alert.slack_ts is None
                                 and not await self._silenced(fingerprint, now)):
                pending.append(fingerprint)
        return sorted(pending)

    async def _open(self, firing: dict[str, Alert], now: datetime, source: str, group_key: str | None = None,
                    among: set[str] | None = None) -> dict[str, StoredAlert]:
        """Store what newly fires; returns the firing alerts `source` raised (all, or those `among` some
        fingerprints), by fingerprint. A fingerprint already firing from the other source stays with it."""
        store = self.deps.store.alerts

        def read(only: str | None = None) -> list[StoredAlert]:
            return store.list_firing(only) if among is None else store.firing_of(among, only)

        stored = {a.fingerprint: a for a in await asyncio.to_thread(read)}
        for fingerprint, alert in firing.items():
            if fingerprint not in stored:
                async with self._isolated(fingerprint, "store"):
                    await asyncio.to_thread(
                        store.open, fingerprint=fingerprint, alert_type=alert.alert_type, severity=alert.severity,
                        component=alert.component, metrics=alert.metrics, now=now, source=source,
                        group_key=group_key, message=f"{alert.message}; breaching since {alert.started_at:%H:%M} UTC")
        return {a.fingerprint: a for a in await asyncio.to_thread(read, source)}

    async def _redraw(self, redraw: dict[PostRef, StoredAlert]) -> None:
        for post, shown in redraw.items():
            async with self._isolated(shown.fingerprint, "redraw"):
                together = await asyncio.to_thread(self.deps.store.alerts.sharing_post, post.channel, post.ts)
                await self.deps.announcer.alert_changed(post, shown.component, together)

    async def _join_group(self, unposted: list[StoredAlert], group_key: str, now: datetime,
                          redraw: dict[PostRef, StoredAlert]) -> list[StoredAlert]:
        """A new alert of a group that already has a post joins that post and its incident; returns the rest."""
        lead = await asyncio.to_thread(self.deps.store.alerts.group_post, group_key) if unposted else None
        if lead is None or (post := post_of(lead)) is None:
            return unposted
        incident = await asyncio.to_thread(self.deps.store.incidents.for_alert, lead.alert_id)
        for alert in unposted:
            async with self._isolated(alert.fingerprint, "join"):
                if await self._silenced(alert.fingerprint, now):
                    continue
                attempt = await asyncio.to_thread(self.deps.store.alerts.claim_post, alert.alert_id, self.replica,
                                                  now, self.lease)
                if not attempt:
                    continue  # another replica holds it
                await asyncio.to_thread(self.deps.store.alerts.record_post, alert.alert_id, post.channel, post.ts, now)
                if incident is not None:
                    await asyncio.to_thread(self.deps.store.incidents.join, incident.incident_id, alert.alert_id)
                self.deps.metrics.alerts_posted.labels(alert_type=alert.alert_type, severity=alert.severity).inc()
                redraw[post] = alert
        return []

    async def _follow(self, current: StoredAlert, alert: Alert | None, result: SweepResult | None,
                      now: datetime) -> bool:
        """A posted alert after this sweep; True when its post needs redrawing."""
        if alert is not None:
            return await self._follow_up(current, alert, now)
        if result is not None and result.cleared(current.fingerprint, current.component):
            rows = result.components.get(current.component) or [{}]
            latest = {k: rows[0][k] for k in current.metrics if k in rows[0] and isinstance(rows[0][k], float)}
            return await self._resolve(current, latest, now)
        if result is not None:  # no data to judge it by: it still fires, so it still repeats
            await self._repeat(current, now)
        return False  # (with no result, the warehouse is down: its own notice says so)

    @asynccontextmanager
    async def _isolated(self, fingerprint: str, step: str) -> AsyncIterator[None]:
        try:
            yield
        except Exception as error:
            self.deps.metrics.alert_failures.labels(step=step).inc()
            log.error("alert %s: %s failed (%s: %s); the next sweep retries it", fingerprint[:120], step,
                      type(error).__name__, str(error).splitlines()[0][:200] if str(error) else "")

    async def _post_unposted(self, unposted: list[StoredAlert], firing: dict[str, Alert], now: datetime,
                             retry_until: float, group_of: Callable[[StoredAlert], str] = lambda a: a.component,
                             group_claim: str | None = None) -> None:
        """Claim and post; the alerts of one group (a sweep's component, an ingested notification group)
        share one post, titled by the first alert's component."""
        groups: dict[str, list[StoredAlert]] = defaultdict(list)
        for alert in unposted:
            async with self._isolated(alert.fingerprint, "claim"):
                if await self._silenced(alert.fingerprint, now):
                    continue
                attempt = await asyncio.to_thread(self.deps.store.alerts.claim_post, alert.alert_id, self.replica,
                                                  now, self.lease)
                if attempt:  # past the first attempt, the announcer looks for an earlier post first
                    groups[group_of(alert)].append(replace(alert, post_attempts=attempt))
        async with claims_renewed(self.deps, self.replica, self.lease,
                                  [a.alert_id for claimed in groups.values() for a in claimed], group_claim):
            for claimed in groups.values():
                async with self._isolated(claimed[0].fingerprint, "post"):
                    await self._post(claimed[0].component, claimed, firing, now, retry_until)

    async def _post(self, component: str, claimed: list[StoredAlert], firing: dict[str, Alert], now: datetime,
                    retry_until: float) -> None:
        store, ids = self.deps.store.alerts, [a.alert_id for a in claimed]
        posted = await self.deps.announcer.alert_posted(component, claimed, retry_until)
        if posted is None:
            # released, not held for the lease: the next sweep tries again at once (the announcer
            # logged why, and already tried again while Slack was only unavailable)
            await asyncio.to_thread(store.release_post, ids, self.replica)
            return
        # all of the post's alerts in one transaction: should the store fail, none is recorded, the
        # claims lapse, and the next claim finds this post by its metadata instead of posting again
        await asyncio.to_thread(store.record_post, ids, posted.channel, posted.ts, now)
        for alert in claimed:
            self.deps.metrics.alerts_posted.labels(alert_type=alert.alert_type, severity=alert.severity).inc()
        # one cause, one incident: the post's alerts share it, filed under the most severe; on a tie the
        # likelier cause (drift before the F1 drop it brings: ALERT_TYPES' order), from its first breach
        group = sorted((replace(a, slack_channel=posted.channel, slack_ts=posted.ts) for a in claimed),
                       key=lambda a: (-SEVERITY_ORDER[a.severity], _cause_rank(a.alert_type)))
        await incidents.opened(self.deps, group, min(firing[a.fingerprint].started_at for a in claimed), now)
        log.info("posted %s", ", ".join(a.fingerprint for a in claimed))
        await auto_investigate.alert_posted(self.deps, group, posted)

    async def _follow_up(self, current: StoredAlert, alert: Alert, now: datetime) -> bool:
        """Severity change or repeat; True when the post needs redrawing."""
        store = self.deps.store.alerts
        if alert.severity != current.severity:
            message = f"{alert.message}; breaching since {alert.started_at:%H:%M} UTC"
            if await asyncio.to_thread(store.change_severity, current.alert_id, current.severity, alert.severity,
                                       message, alert.metrics):
                changed = await asyncio.to_thread(store.get, current.alert_id)
                await self.deps.announcer.alert_severity_changed(changed or current, current.severity)
                return True
            return False
        await self._repeat(current, now)
        return False

    async def _repeat(self, current: StoredAlert, now: datetime) -> None:
        """"Still firing" in its thread once REPEAT_INTERVAL has passed (one replica claims it)."""
        due = current.last_notified_at is None or now - current.last_notified_at >= self.deps.settings.repeat_interval
        if due and not await self._silenced(current.fingerprint, now) and await asyncio.to_thread(
                self.deps.store.alerts.claim_repeat, current.alert_id, current.last_notified_at, now):
            await self.deps.announcer.alert_still_firing(current, now)

    async def _resolve(self, current: StoredAlert, latest: dict[str, float], now: datetime) -> bool:
        """`latest`: the alerting metrics' values now, when known (a sweep has them; a sender may not)."""
        done = await asyncio.to_thread(self.deps.store.alerts.resolve, current.fingerprint, now, current.source)
        if done is None:
            return False  # another replica resolved it
        await self.deps.announcer.alert_resolved(done, latest)
        await incidents.resolved(self.deps, done, now)
        return True

    async def _silenced(self, fingerprint: str, now: datetime) -> bool:
        return await asyncio.to_thread(self.deps.store.silences.active, fingerprint, now) is not None
