"""Following PagerDuty: a triggered PagerDuty alert is acknowledged when its chain is, and resolved when its
alerts are.

Only a follow-up PagerDuty took (`sent`) counts as done. One that failed (a 5xx blip) or whose replica died
while sending it is tried again with backoff, up to FOLLOW_ATTEMPTS times; each attempt is its own claimed,
audited row (`pagerduty:resolve`, then `pagerduty:resolve#2` …), so exactly one replica sends each attempt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.deps import Deps
from bot.escalation.chain import START, Chain, incident_of, post_alerts, raised_of, raised_since
from bot.escalation.policy import Step
from bot.paging import Event
from bot.store.records import EscalationStep, Incident

ChainsOf = Callable[[Incident, datetime], Awaitable[list[Chain]]]
Send = Callable[[Chain, str, Step, Event, datetime], Awaitable[None]]

CHANNEL = "pagerduty"
FOLLOW_ATTEMPTS = 5
BACKOFF = timedelta(minutes=1)  # doubled after each failed attempt: 1, 2, 4, 8 minutes
DONE = ("sent", "skipped")  # skipped: PagerDuty is no longer configured, so there is nothing to follow


def attempt_key(event: Event, attempt: int) -> str:
    return f"{CHANNEL}:{event}" if attempt == 1 else f"{CHANNEL}:{event}#{attempt}"


def next_attempt(rows: Sequence[EscalationStep], event: Event, now: datetime, lease: timedelta) -> int | None:
    """The attempt to claim for `event` now; None when it is done, given up, in flight or backing off."""
    first = attempt_key(event, 1)
    tried = [r for r in rows if r.step == first or r.step.startswith(first + "#")]
    if any(r.outcome in DONE for r in tried):
        return None
    if not tried:
        return 1
    if len(tried) >= FOLLOW_ATTEMPTS:
        return None
    last = tried[-1]  # rows come in claim order
    wait = lease if last.outcome == "claimed" else BACKOFF * 2 ** (len(tried) - 1)
    return len(tried) + 1 if now - last.claimed_at >= wait else None


async def follow_pagerduty(deps: Deps, replica: str, lease: timedelta, chains_of: ChainsOf, send: Send,
                           now: datetime) -> list[str]:
    store = deps.store
    done: list[str] = []
    seen: set[str] = set()
    for sent in await asyncio.to_thread(store.escalations.paged, CHANNEL, FOLLOW_ATTEMPTS):
        if sent.subject in seen:
            continue
        seen.add(sent.subject)
        incident = await asyncio.to_thread(store.incidents.get, incident_of(sent.subject))
        if incident is None:
            continue
        chains = [c for c in await chains_of(incident, now) if c.subject == sent.subject] or \
            await _closed_chain(deps, incident, sent.subject)
        for chain in chains:
            event: Event | None = "resolve" if chain.cleared else "acknowledge" if chain.acknowledged else None
            if event is None:
                continue
            rows = await asyncio.to_thread(store.escalations.steps, chain.subject)
            attempt = next_attempt(rows, event, now, lease)
            if attempt is None:
                continue
            key = attempt_key(event, attempt)
            if await asyncio.to_thread(store.escalations.claim, subject=chain.subject, step=key, channel=CHANNEL,
                                       fingerprint=incident.fingerprint, replica=replica, now=now):
                await send(chain, key, Step(timedelta(0), CHANNEL), event, now)
                done.append(f"{chain.subject}/{key}")
    return done


async def _closed_chain(deps: Deps, incident: Incident, subject: str) -> list[Chain]:
    """An escalated incident that went back to investigating, or is resolved, or a raised chain whose alerts
    resolved: still followed to its end."""
    store = deps.store
    group = await post_alerts(store, incident.incident_id)
    rows = await asyncio.to_thread(store.escalations.steps, subject)
    started = next((r.claimed_at for r in rows if r.step == START), incident.detected_at)
    if raised := raised_of(subject):  # its alerts no longer fire above the post's severity
        return [Chain(subject, incident, group, raised_since(incident, group, raised, started),
                      f"a {raised} alert joined the post", started, raised, raised=True)] if group else []
    return [Chain(subject, incident, group, started, "escalated")] if group else []
