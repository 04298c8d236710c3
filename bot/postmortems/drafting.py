"""When an incident resolves: its post-mortem drafted from the run trace (by Claude when a key is set, else
the template filled in from the record), stored once however many replicas resolve it, and posted to the
incident's thread with Publish and Discard. Runs in the background: a Claude call never holds a sweep."""

from __future__ import annotations

import asyncio
import logging

from bot.budgets.meter import SpendMeter
from bot.deps import Deps
from bot.notify import PostRef
from bot.postmortems import template
from bot.postmortems.claude_draft import claude_draft
from bot.redact import Redactor
from bot.run_trace import Lookup, run_trace
from bot.store.records import Incident

log = logging.getLogger("agentops.postmortems")


def incident_resolved(deps: Deps, incident: Incident, thread: PostRef) -> None:
    """Start drafting the resolved incident's post-mortem (tracked, drained at shutdown)."""
    deps.investigations.spawn(draft_postmortem(deps, incident, thread))


async def draft_postmortem(deps: Deps, incident: Incident, thread: PostRef) -> bool:
    """Draft, store and post; False when the incident already had one (another replica, or a resolve retried)."""
    store, settings = deps.store, deps.settings
    if await asyncio.to_thread(store.postmortems.get, incident.incident_id) is not None:
        return False
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
    post = await deps.announcer.postmortem_drafted(postmortem, thread)
    if post is None:
        log.warning("the post-mortem draft of %s could not be posted; it is stored as a draft", incident.incident_id)
        return True
    await asyncio.to_thread(store.postmortems.set_post, incident.incident_id, post.channel, post.ts)
    return True
