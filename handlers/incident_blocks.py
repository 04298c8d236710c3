"""Pure builder for an incident's resolution summary in its alert's thread, with SPEC §6's timings."""

from __future__ import annotations

from bot.remediation.incident_text import timings
from bot.store.records import Incident
from handlers.blocks import Blocks, context, section
from handlers.links import NO_LINKS, Links
from handlers.mrkdwn import code, esc


def resolution_summary(incident: Incident, *, github: bool, links: Links = NO_LINKS) -> tuple[str, Blocks]:
    actions = "\n".join(f"• {code(a['action'])} {esc(a['status'])}: {esc(a['details'])}" for a in incident.actions) \
        or "• none: it cleared without an action by AgentOps"
    if incident.github_issue:
        issue = f"{links.issue(incident.github_issue)} closed"
    else:
        issue = "no GitHub issue (" + ("it could not be opened; see the bot's log)" if github
                                       else "GitHub is not configured: GITHUB_TOKEN, GITHUB_REPO)")
    text = esc(f"📋 {incident.incident_id} resolved · {timings(incident)}")
    return text, [section(f"📋 *{esc(incident.incident_id)} resolved*\n{actions}"),
                  context(f"{timings(incident)} · {issue}")]
