"""Investigations survive the replica running them: it renews its claims' leases every third of
INVESTIGATION_LEASE_SEC; every replica looks, as often, for claims whose lease lapsed (their replica
was killed or hung) and takes each over — exactly one replica wins the compare-and-set — restarting
it from the start, or, after MAX_ATTEMPTS starts, closing it as abandoned with a note in its thread,
so the alert can be investigated again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from functools import partial

from bot.deps import Deps
from bot.investigations import run_claimed
from bot.notify import PostRef
from bot.store.records import Investigation

log = logging.getLogger("agentops.investigation")
MAX_ATTEMPTS = 2  # the first run and one restart: a claim that kills its replica twice is not run a third time


def lease(deps: Deps) -> timedelta:
    return timedelta(seconds=deps.settings.investigation_lease_sec)


def heartbeat_sec(deps: Deps) -> float:
    """How often claims are renewed and lapsed ones looked for: a third of the lease, so two renewals
    can fail (a slow database) before a live claim lapses."""
    return deps.settings.investigation_lease_sec / 3


async def keep_investigations(deps: Deps) -> list[Investigation]:
    """One heartbeat: renew this replica's claims, then take over the lapsed ones; never raises, so
    the schedule goes on. Returns the claims taken over."""
    try:
        await renew(deps)
        return await take_over_lapsed(deps)
    except Exception:
        log.exception("keeping investigation leases failed; the next heartbeat retries")
        return []


async def renew(deps: Deps) -> None:
    held = deps.investigation_leases
    ids = set(held.held)
    if not ids:
        return
    until = deps.clock.now() + lease(deps)
    kept = await asyncio.get_running_loop().run_in_executor(
        held.renewer, partial(deps.store.investigations.renew, ids, held.owner, until))
    for lost in ids - kept:  # finished meanwhile, or taken over after this replica stalled past its lease
        held.release(lost)


async def drain_renewing(deps: Deps, timeout_sec: float) -> int:
    """At shutdown, after the socket is closed: requests and investigations in flight finish (up to
    `timeout_sec` per pool) while this replica keeps renewing its claims every heartbeat, so a drain as
    long as the lease never lets another replica restart them (tokens spent twice, this diagnosis
    discarded). No takeovers: nothing new starts on a stopping replica. How many were unfinished."""
    renewing = asyncio.get_running_loop().create_task(_renew_every_heartbeat(deps))
    try:
        unfinished = await deps.work.drain(timeout_sec)
        unfinished += await deps.investigations.drain(timeout_sec)
        return unfinished + await deps.auto_investigations.drain(timeout_sec)
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing


async def _renew_every_heartbeat(deps: Deps) -> None:
    while True:
        try:
            await renew(deps)
        except Exception as error:  # the store is down: the next heartbeat retries, as the scheduled one does
            log.warning("renewing investigation leases while stopping failed (%s); retrying", error)
        await asyncio.sleep(heartbeat_sec(deps))


async def hand_over(deps: Deps) -> int:
    """At shutdown, after the drain: this replica's unfinished claims lapse at once, so another replica
    resumes them at its next heartbeat instead of after the lease. How many were handed over."""
    held = deps.investigation_leases
    ids = set(held.held)
    if not ids:
        return 0
    try:
        handed = await asyncio.to_thread(deps.store.investigations.renew, ids, held.owner,
                                         deps.clock.now() - timedelta(seconds=1))
    except Exception as error:  # the store is down: the leases lapse on their own
        log.warning("could not hand over %d investigation(s) (%s); they are taken over once their lease lapses",
                    len(ids), error)
        return 0
    held.held -= handed
    return len(handed)


async def take_over_lapsed(deps: Deps) -> list[Investigation]:
    store, held = deps.store.investigations, deps.investigation_leases
    taken_over = []
    for lapsed in await asyncio.to_thread(store.lapsed, deps.clock.now()):
        taken = await asyncio.to_thread(store.take_over, lapsed.investigation_id, held.owner, deps.clock.now(),
                                        lease(deps))
        if taken is None:
            continue  # another replica won it, or its holder renewed it just in time
        held.hold(taken.investigation_id)
        taken_over.append(taken)
        if taken.attempts > MAX_ATTEMPTS or not (taken.component and taken.slack_channel and taken.slack_ts):
            # spawned: its note goes to Slack, and a slow Slack must not hold up the next renewal
            deps.investigations.spawn(_abandon(deps, taken, leased=lapsed.lease_owner is not None))
            continue
        log.warning("resuming investigation %s of %s (attempt %d): the replica running it stopped renewing it",
                    taken.investigation_id, taken.component, taken.attempts)
        deps.metrics.investigation_takeovers.labels(outcome="restarted").inc()
        (deps.auto_investigations if taken.auto else deps.investigations).spawn(run_claimed(deps, taken))
    return taken_over


async def _abandon(deps: Deps, taken: Investigation, leased: bool = True) -> None:
    held = deps.investigation_leases
    try:
        closed = await asyncio.to_thread(deps.store.investigations.abandon, taken.investigation_id, held.owner,
                                         deps.clock.now())
    finally:
        held.release(taken.investigation_id)
    if not closed:
        return
    log.warning("closed investigation %s of %s as abandoned after %d start(s)", taken.investigation_id,
                taken.component, taken.attempts - 1)
    deps.metrics.investigation_takeovers.labels(outcome="abandoned").inc()
    # nothing diagnosed it: people must look, as for an incident nobody can fix; but a run from before leases
    # (no lease at all) is one the upgrade cut short, long ago: its incident is not escalated now
    if taken.alert_id is not None and leased:
        incident = await asyncio.to_thread(deps.store.incidents.for_alert, taken.alert_id)
        if incident is not None:
            await asyncio.to_thread(deps.store.incidents.advance, incident.incident_id, "escalated",
                                    from_statuses=("investigating",), escalated_at=deps.clock.now())
    if taken.slack_channel and taken.slack_ts:
        await deps.announcer.investigation_abandoned(PostRef(taken.slack_channel, taken.slack_ts),
                                                     taken.component or taken.trigger, taken.attempts - 1)
