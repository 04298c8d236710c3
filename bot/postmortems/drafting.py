"""When an incident resolves: its post-mortem drafted from the run trace (by Claude when a key is set, else
the template filled in from the record), stored once however many replicas resolve it, and posted to the
incident's thread with Publish and Discard. Runs in the background: a Claude call never holds a sweep.

A draft whose post failed (Slack down, the replica stopped before its message was stored) is posted again:
by the next resolve of the incident seen, and by the monitor's sweep, a few at a time. The post is keyed
`postmortem:<incident>`, so a post that reached Slack before the failure is adopted, not doubled."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.budgets.meter import SpendMeter
from bot.deps import Deps
from bot.notify import PostRef, post_of
from bot.postmortems import template
from bot.postmortems.claude_draft import claude_draft
from bot.redact import Redactor
from bot.run_trace import Lookup, run_trace
from bot.store.records import Incident, Postmortem

log = logging.getLogger("agentops.postmortems")
# a draft younger than this may still be on its way to Slack from the replica that wrote it: not re-posted yet
REPOST_AFTER = timedelta(minutes=2)
REPOSTS_PER_SWEEP = 5  # bounded: an outage of Slack is not retried for every old draft on every sweep


def incident_resolved(deps: Deps, incident: Incident, thread: PostRef) -> None:
    """Start drafting the resolved incident's post-mortem (tracked, drained at shutdown)."""
    deps.investigations.spawn(draft_postmortem(deps, incident, thread))


async def draft_postmortem(deps: Deps, incident: Incident, thread: PostRef) -> bool:
    """Draft, store and post; False when the incident already had a posted one (another replica, or a resolve
    retried). A stored draft whose post never happened is posted now."""
    store, settings = deps.store, deps.settings
    stored = await asyncio.to_thread(store.postmortems.get, incident.incident_id)
    if stored is not None:
        return stored.status == "draft" and stored.slack_ts is None and await _post(deps, stored, thread, again=True)
    trace = await asyncio.to_thread(run_trace, store, Lookup("incident", incident.incident_id), deps.clock.now(),
                                    Redactor(settings.secret_values()))
    markdown, drafted_by = template.draft(trace), "template"
    if deps.anthropic is not None:
        written = await asyncio.to_thread(claude_draft, deps.anthropic, settings.anthropic_model, trace, markdown,
                                          settings.postmortem_draft_timeout_sec, settings.postmortem_max_tokens,
                                          SpendMeter.of(deps, f"postmortem:{incident.incident_id}"))
        if written is not None:
            markdown, drafted_by = written, "claude"
    name = template.file_name(trace["incident"])
    if not await asyncio.to_thread(store.postmortems.draft, incident.incident_id, name, markdown, drafted_by,
                                   deps.clock.now()):
        return False
    postmortem = await asyncio.to_thread(store.postmortems.get, incident.incident_id)
    assert postmortem is not None
    await _post(deps, postmortem, thread)
    return True


async def post_unposted(deps: Deps, now: datetime) -> None:
    """The sweep's retry: drafts stored without their message, posted to their incident's thread. Stops at
    the first post that fails (the medium is down: the next sweep tries again)."""
    for postmortem in await asyncio.to_thread(deps.store.postmortems.unposted, now - REPOST_AFTER,
                                              REPOSTS_PER_SWEEP):
        incident = await asyncio.to_thread(deps.store.incidents.get, postmortem.incident_id)
        thread = post_of(incident) if incident is not None else None
        if thread is None or not await _post(deps, postmortem, thread, again=True):
            return


async def _post(deps: Deps, postmortem: Postmortem, thread: PostRef, again: bool = False) -> bool:
    """Post the draft and store its message (a click counts only there); False when the post failed."""
    post = await deps.announcer.postmortem_drafted(postmortem, thread, again)
    if post is None:
        log.warning("the post-mortem draft of %s could not be posted; it is stored and posted again later",
                    postmortem.incident_id)
        return False
    await asyncio.to_thread(deps.store.postmortems.set_post, postmortem.incident_id, post.channel, post.ts)
    return True
