"""A replay asked for in chat (`/agentops replay <fingerprint>`): checked at once (so a refusal is told to
the requester privately), then run in the investigations pool, and its result told to the notification
port for the replayed investigation's thread — one message there."""

from __future__ import annotations

import asyncio
import logging

from bot.budgets.meter import SpendMeter
from bot.deps import Deps
from bot.notify import PostRef
from bot.replay import service
from bot.replay.perturb import KINDS

log = logging.getLogger("agentops.replay")
NO_THREAD = ("investigation {} has no thread to answer in (it was run outside Slack); run "
             "`agentops replay {}` instead")
ALREADY_REPLAYING = ("a replay of investigation {} is already queued or running; its result will be in the "
                     "investigation's thread")


async def start_replay(deps: Deps, ref: str, requested_by: str) -> str | None:
    """Start it; returns the reason to tell the requester when it cannot start."""
    try:
        investigation_id, record, _original = await asyncio.to_thread(service.find, deps.store, ref)
        if service.investigator_for(investigation_id, record, deps.anthropic) is not None:
            meter = SpendMeter.of(deps, f"replay:{investigation_id}")
            await asyncio.to_thread(service.within_budget, investigation_id, meter)
    except service.ReplayRefused as error:
        return str(error)
    investigation = await asyncio.to_thread(deps.store.investigations.get, investigation_id)
    if investigation is None or not (investigation.slack_channel and investigation.slack_ts):
        return NO_THREAD.format(investigation_id, investigation_id)
    if investigation_id in deps.replaying:
        return ALREADY_REPLAYING.format(investigation_id)
    thread = PostRef(investigation.slack_channel, investigation.slack_ts)
    # offline it takes a second; with Claude minutes: it queues in the replays' own pool, never in the
    # request's nor in the one investigations and approved actions run in
    deps.replaying.add(investigation_id)
    deps.replays.spawn(_replay(deps, investigation_id, requested_by, thread))
    return None


async def _replay(deps: Deps, investigation_id: str, requested_by: str, thread: PostRef) -> None:
    try:
        await _run(deps, investigation_id, requested_by, thread)
    finally:
        deps.replaying.discard(investigation_id)


async def _run(deps: Deps, investigation_id: str, requested_by: str, thread: PostRef) -> None:
    try:
        done = await asyncio.to_thread(
            service.run, deps.store, investigation_id, kinds=list(KINDS), n=deps.settings.replay_runs, seed=0,
            knowledge=deps.knowledge, settings=deps.settings, client=deps.anthropic, requested_by=requested_by,
            now=deps.clock.now(), metrics=deps.metrics, clock=deps.clock,
            meter=SpendMeter.of(deps, f"replay:{investigation_id}"))
    except service.ReplayRefused as error:  # e.g. the Claude key went away in between
        await deps.announcer.replay_failed(thread, str(error))
        return
    except Exception:
        log.exception("replay of investigation %s failed", investigation_id)
        await deps.announcer.replay_failed(thread, "an internal error; it is in the bot's log")
        return
    await deps.announcer.replay_finished(thread, service.summary(done))
