"""Approval requests from a diagnosis: each gated proposal becomes a request in the store and a
message in the thread whose buttons carry only the request id."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from agents.diagnosis import GATED_ACTIONS, Diagnosis
from bot.deps import Deps
from bot.store.records import Approval
from handlers.approval_blocks import approval_request
from handlers.slack_errors import report_slack_error


async def request_approvals(deps: Deps, diagnosis: Diagnosis, *, engine: str, requested_by: str,
                            investigation_id: str, alert_id: str | None, channel: str,
                            thread_ts: str) -> list[Approval]:
    settings = deps.settings
    requested = []
    for proposal in sorted(diagnosis.recommended_actions, key=lambda a: a.priority):
        if proposal.action not in GATED_ACTIONS:  # the rest are for people to do; they are in the diagnosis
            continue
        reason = diagnosis.root_cause + (f" ({proposal.condition})" if proposal.condition else "")
        now = deps.clock.now()
        approval = await asyncio.to_thread(
            deps.store.approvals.request, action=proposal.action, target=proposal.target, reason=reason[:1500],
            proposed_by=engine, requested_by=requested_by, now=now,
            timeout=timedelta(seconds=settings.approval_timeout_sec), investigation_id=investigation_id,
            alert_id=alert_id)
        await asyncio.to_thread(deps.store.audit.record, actor=engine, action="approval.request",
                                subject=approval.request_id, outcome="pending", now=now,
                                details={"action": approval.action, "target": approval.target,
                                         "requested_by": requested_by})
        text, blocks = approval_request(approval, settings.agentops_approvers, settings.agentops_four_eyes)
        try:
            posted = await deps.slack.chat_postMessage(channel=channel, thread_ts=thread_ts,  # type: ignore[union-attr]
                                                       text=text, blocks=blocks)
        except SlackApiError as error:
            # unposted, nobody can click it: it simply expires, and the expiry is audited
            report_slack_error(deps, "chat.postMessage", error)
        else:
            await asyncio.to_thread(deps.store.approvals.record_post, approval.request_id, posted["channel"],
                                    posted["ts"], thread_ts)
        requested.append(approval)
    return requested
