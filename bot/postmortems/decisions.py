"""[Publish] or [Discard] on a post-mortem draft: the first click wins (a compare-and-set in the store, across
replicas), every click is audited, and only a click on the draft's own message counts.

Who decides: the approvers the action policy names for the incident's environment (users or user groups,
of any of its actions; an action naming none counts AGENTOPS_APPROVERS), and when nobody is named anywhere,
any member of the channel. A published post-mortem is evidence the next investigations cite, so it steers
what they propose: it takes the trust an approval takes. A team with no approvers proposes no gated actions,
and still keeps post-mortems. A refused click is audited as permission_denied, as a refused approval is.

Published: a comment on the incident's GitHub issue (its marker keeps a retried publish from commenting
twice), the markdown file in POSTMORTEM_DIR when set, and this replica's knowledge index refreshed at once
(the others refresh at their next search: the store's version of the published set changed).
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.deps import Deps
from bot.permissions.approvers import Permission
from bot.permissions.denials import audit_denied
from bot.permissions.policy import ActionRule
from bot.store.records import Postmortem
from bot.tracker import TrackerError

log = logging.getLogger("agentops.postmortems")
Outcome = Literal["published", "discarded", "already", "not_allowed", "unknown", "wrong_message"]


@dataclass(frozen=True)
class Decided:
    outcome: Outcome
    decision: str  # published | discarded: what the click asked for
    postmortem: Postmortem | None = None  # as stored after the click
    notes: list[str] = field(default_factory=list)  # where a published one went, and what failed
    approvers: tuple[str, ...] = ()  # not_allowed: who may decide (user and subteam ids)
    why: str = ""  # not_allowed: why, when it is more than not being one of them


async def may_decide(deps: Deps, user: str, incident_id: str) -> Permission:
    """Whether `user` may publish or discard the incident's post-mortem (an unknown incident: whether they
    are one of AGENTOPS_APPROVERS, so a forged id learns nothing new)."""
    policy, _degraded = deps.governance.policy()  # degraded: the last good policy still says who may decide
    fallback = deps.settings.agentops_approvers
    incident = await asyncio.to_thread(deps.store.incidents.get, incident_id)
    environment = policy.environment_of(incident.component) if incident is not None else ""
    rules = policy.policies[environment].actions.values() if environment in policy.policies else ()
    listed = tuple(dict.fromkeys(a for rule in rules for a in (rule.approvers or fallback))) if rules else \
        tuple(fallback)
    if not listed:
        return Permission(True, environment=environment)
    allowed, why = await deps.governance.may_approve(ActionRule("postmortem", 1, listed), user, [],
                                                     deps.clock.now())
    return Permission(allowed, listed, why, environment)


async def decide_postmortem(deps: Deps, incident_id: str, user: str, decision: str, channel: str,
                            message_ts: str) -> Decided:
    store, now = deps.store, deps.clock.now()
    stored = await asyncio.to_thread(store.postmortems.get, incident_id)
    permission = await may_decide(deps, user, incident_id)
    if not permission.allowed:  # checked first: a forged click learns nothing about the id
        await asyncio.to_thread(audit_denied, deps, actor=user, subject=incident_id, kind="approver",
                                why=permission.why or "not an approver of this environment's actions",
                                details={"decision": decision, "environment": permission.environment,
                                         "approvers": list(permission.listed)},
                                channel=channel, message_ts=message_ts)
        result = Decided("not_allowed", decision, approvers=permission.listed, why=permission.why)
    elif stored is None:
        result = Decided("unknown", decision)
    elif (stored.slack_channel, stored.slack_ts) != (channel, message_ts):
        result = Decided("wrong_message", decision, stored)
    elif not await asyncio.to_thread(store.postmortems.decide, incident_id, decision, user, now):
        result = Decided("already", decision, await asyncio.to_thread(store.postmortems.get, incident_id))
    else:
        decided = await asyncio.to_thread(store.postmortems.get, incident_id)
        assert decided is not None
        notes = await _publish(deps, decided) if decision == "published" else []
        result = Decided(decision, decision, decided, notes)  # type: ignore[arg-type]
    verb = "publish" if decision == "published" else "discard"
    await asyncio.to_thread(store.audit.record, actor=user, action=f"postmortem.{verb}", subject=incident_id,
                            outcome=result.outcome, now=now, details={"notes": result.notes}, channel=channel,
                            message_ts=message_ts)
    if result.outcome in ("published", "discarded") and result.postmortem is not None:
        await deps.announcer.postmortem_decided(result.postmortem, result.notes)
    return result


async def _publish(deps: Deps, postmortem: Postmortem) -> list[str]:
    notes: list[str] = []
    await asyncio.to_thread(deps.knowledge.refresh)
    notes.append("added to the knowledge index")
    incident = await asyncio.to_thread(deps.store.incidents.get, postmortem.incident_id)
    if deps.tracker is not None and incident is not None and incident.github_issue:
        try:
            await asyncio.to_thread(deps.tracker.comment, incident.github_issue, f"postmortem:{postmortem.incident_id}",
                                    postmortem.markdown)
            notes.append(f"commented on GitHub issue #{incident.github_issue}")
        except TrackerError as error:
            log.warning("post-mortem of %s not on issue #%s: %s", postmortem.incident_id, incident.github_issue, error)
            notes.append(f"GitHub issue #{incident.github_issue} not commented: {error}")
    folder = deps.settings.postmortem_dir
    if folder is not None:
        try:
            path = await asyncio.to_thread(write_file, folder, postmortem)
            notes.append(f"written to {path}")
        except OSError as error:
            log.warning("post-mortem of %s not written to %s: %s", postmortem.incident_id, folder, error)
            notes.append(f"not written to {folder}: {error.strerror or error}")
    return notes


def write_file(folder: Path, postmortem: Postmortem) -> Path:
    """Write atomically (a temporary file renamed over the name): a reader never sees half a post-mortem."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / postmortem.file_name
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".postmortem-", suffix=".md")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(postmortem.markdown)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
