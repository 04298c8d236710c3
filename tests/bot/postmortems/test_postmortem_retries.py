"""A post-mortem draft whose post to the thread failed is posted again — by the next resolve seen, or by the
monitor's sweep once it is a few minutes old — exactly once, and its Publish then works; and who may decide
follows the action policy's approvers, a refused click audited as permission_denied."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.monitor.monitor import Monitor
from bot.notify import post_of
from bot.postmortems.decisions import decide_postmortem
from bot.postmortems.drafting import draft_postmortem
from bot.store.records import Postmortem
from tests.helpers.domain import Domain
from tests.helpers.permissions import policy_file
from tests.helpers.postmortems import resolved_demo_incident
from tests.helpers.remediation import LEAD, VIEWER

LEAD_DECIDES = """
policies:
  production:
    actions:
      rollback_model: {approvals: 1, approvers: [U0LEAD]}
      retrain_model: {approvals: 1, approvers: [U0LEAD]}
"""


def publish(d: Domain, draft: Postmortem, user: str = LEAD) -> str:
    [said] = d.announcer.of("postmortem_drafted")
    post = said.details["post"]
    return asyncio.run(decide_postmortem(d.deps, draft.incident_id, user, "published", post.channel, post.ts)).outcome


def test_a_draft_whose_post_failed_is_posted_by_the_resolve_retried_and_then_publishes(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with resolved_demo_incident(tmp_path, now, draft_post_fails=True) as (d, _, draft):
        stored = d.deps.store.postmortems.get(draft.incident_id)
        assert stored is not None and stored.status == "draft" and stored.slack_ts is None
        incident = d.deps.store.incidents.get(draft.incident_id)
        assert incident is not None and (thread := post_of(incident)) is not None
        assert asyncio.run(draft_postmortem(d.deps, incident, thread)) is True  # posted now
        assert asyncio.run(draft_postmortem(d.deps, incident, thread)) is False  # and only once
        [said] = d.announcer.of("postmortem_drafted")
        assert said.details["thread"] == thread and said.details["again"] is True  # looks for an earlier post
        stored = d.deps.store.postmortems.get(draft.incident_id)
        assert stored is not None and (stored.slack_channel, stored.slack_ts) == (said.details["post"].channel,
                                                                                  said.details["post"].ts)
        assert publish(d, draft) == "published"


def test_the_sweep_posts_an_unposted_draft_once_it_is_old_enough_retrying_while_the_post_fails(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with resolved_demo_incident(tmp_path, now, draft_post_fails=True) as (d, _, draft):
        def tick() -> None:
            asyncio.run(Monitor(d.deps, "test").tick())

        tick()  # a draft just written may still be on its way from the replica that wrote it: left alone
        assert d.announcer.of("postmortem_drafted") == [] and len(d.announcer.of("postmortem_drafted:failed")) == 1
        d.clock.advance(timedelta(minutes=3))
        d.announcer.refuse_posts = 1
        tick()  # Slack still down: tried, and kept for the next sweep
        assert len(d.announcer.of("postmortem_drafted:failed")) == 2 and d.announcer.of("postmortem_drafted") == []
        tick()
        tick()
        [said] = d.announcer.of("postmortem_drafted")
        assert said.details["again"] is True
        assert publish(d, draft) == "published"
        assert d.deps.store.postmortems.get(draft.incident_id).status == "published"  # type: ignore[union-attr]


def test_the_action_policys_approvers_decide_and_a_refused_click_is_audited_as_permission_denied(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with resolved_demo_incident(tmp_path, now, agentops_approvers="",
                                action_policy_file=policy_file(tmp_path, LEAD_DECIDES)) as (d, _, draft):
        [said] = d.announcer.of("postmortem_drafted")
        post = said.details["post"]
        refused = asyncio.run(decide_postmortem(d.deps, draft.incident_id, VIEWER, "published", post.channel,
                                                post.ts))
        assert refused.outcome == "not_allowed" and refused.approvers == (LEAD,)
        assert d.deps.store.postmortems.get(draft.incident_id).status == "draft"  # type: ignore[union-attr]
        [denied] = [e for e in d.deps.store.audit.entries(draft.incident_id) if e.action == "permission_denied"]
        assert (denied.actor, denied.outcome, denied.message_ts) == (VIEWER, "refused:approver", post.ts)
        assert denied.details["approvers"] == [LEAD] and denied.details["environment"] == "production"
        assert publish(d, draft, LEAD) == "published"
