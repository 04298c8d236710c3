"""Governance in the domain (the notification port in memory): degraded mode when the policy becomes
unreadable, distinct votes across replicas decided once, and user groups cached for their TTL."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.permissions.gate import plan_for, say_degraded
from bot.permissions.governance import Governance
from bot.permissions.policy import load_action_policy
from bot.store.records import Approval
from handlers.approval_blocks import approval_request
from seed.slack import SlackStandIn
from tests.helpers.domain import Domain, replica
from tests.helpers.permissions import policy_file, verified_actions
from tests.helpers.remediation import LEAD, REQUESTER, audit, click_on, play, remediation

SANDBOX = """
environments:
  models: {classifier_v2: sandbox}
levels:
  - name: sandbox_only
policies:
  sandbox:
    actions:
      retrain_model: {approvals: 1, risk: low}
      rollback_model: {approvals: 1, risk: low}
    unattended:
      - {action: retrain_model, level: sandbox_only}
"""

THREE_MAY_TWO_MUST = """
policies:
  production:
    actions:
      rollback_model: {approvals: 2, approvers: [U0LEAD, U0ONCALL, U0THIRD]}
      retrain_model: {approvals: 1}
"""


def test_an_unreadable_policy_at_run_time_is_said_once_and_nothing_runs_unclicked(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    path = policy_file(tmp_path, SANDBOX)
    with remediation(tmp_path, now, action_policy_file=path) as (d, service):
        verified_actions(d.deps.store, "sandbox", now)
        path.write_text("policies: [this is: not: a mapping")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))  # an edit, whatever the clock's grain

        async def story(requests: dict[str, Approval]) -> None:
            # the last good policy still decides who may approve and what may be proposed; nothing unclicked
            assert sorted(requests) == ["retrain_model", "rollback_model"]
            assert d.announcer.of("action_unattended") == [] and service.calls("POST", "/training/trigger") == []
            [said] = d.announcer.of("governance_degraded")  # two proposals, one notice
            assert said.details["reason"].startswith(f"the action policy is unusable: {path}:line 1")

        play(d, story)


def test_the_sandbox_policy_runs_the_retrain_when_governance_is_readable(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    """The counterpart of the test above: the same policy, readable, runs it unclicked."""
    with remediation(tmp_path, now, action_policy_file=policy_file(tmp_path, SANDBOX)) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            await d.settle()
            assert [s.details["rule"] for s in d.announcer.of("action_unattended")] == ["sandbox.unattended[0]"]
            assert len(service.calls("POST", "/training/trigger")) == 1
            assert d.announcer.of("governance_degraded") == []

        play(d, story)


@pytest.mark.postgres
def test_the_second_distinct_votes_landing_on_two_replicas_at_once_decide_once(  # type: ignore[no-untyped-def]
        tmp_path: Path, now, postgres_url: str) -> None:
    with remediation(tmp_path, now, database_url=postgres_url,
                     action_policy_file=policy_file(tmp_path, THREE_MAY_TWO_MUST)) as (d, service), replica(d) as other:
        async def story(requests: dict[str, Approval]) -> None:
            rid = requests["rollback_model"].request_id
            assert (await click_on(d, rid, LEAD, "approved")).outcome == "voted"
            both = await asyncio.gather(click_on(d, rid, REQUESTER, "approved"),
                                        click_on(other, rid, "U0THIRD", "approved"))
            assert sorted(r.outcome for r in both) in (["already_decided", "decided"], ["decided", "voted"])
            await d.settle()
            await other.settle()
            assert len(service.calls("POST", "/model/rollback")) == 1
            stored = d.deps.store.approvals.get(rid)
            assert stored is not None and stored.status == "approved" and stored.voters[0] == LEAD
            # every vote that committed is listed, whichever replica wrote the column last
            committed = d.deps.store.votes.voters(rid)
            assert len(committed) >= 2 and sorted(stored.voters) == sorted(committed)
            assert [o for _, a, o in audit(d, rid) if a == "approval.approve"].count("approved") == 1

        play(d, story)


class CountingDirectory:
    """A user group directory as the Slack edge answers it, counting lookups."""

    def __init__(self, members: dict[str, list[str]]) -> None:
        self.groups, self.lookups = members, 0

    async def members(self, group_id: str) -> list[str] | None:
        self.lookups += 1
        return self.groups.get(group_id)


def test_user_groups_are_cached_for_their_ttl(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    policy = "slack_groups: {leads: S0LEADS}\npolicies:\n  production:\n    actions:\n" \
             "      rollback_model: {approvers: ['@leads']}\n"
    with remediation(tmp_path, now, action_policy_file=policy_file(tmp_path, policy),
                     usergroup_cache_ttl_sec=60) as (d, _):
        directory = d.deps.governance.directory = CountingDirectory({"S0LEADS": ["U0GROUPIE"]})
        rule = d.deps.governance.policy()[0].rule("production", "rollback_model")

        async def ask(user: str) -> bool:
            return (await d.deps.governance.may_approve(rule, user, [], d.clock.now()))[0]

        async def run() -> None:
            assert await ask("U0GROUPIE") and not await ask(LEAD) and directory.lookups == 1
            directory.groups["S0LEADS"] = [LEAD]  # membership changed in Slack
            assert await ask("U0GROUPIE") and directory.lookups == 1  # still cached
            d.clock.advance(timedelta(seconds=61))
            assert await ask(LEAD) and not await ask("U0GROUPIE") and directory.lookups == 2

        asyncio.run(run())


TWO_FROM_THE_FALLBACK = """
policies:
  production:
    actions:
      rollback_model: {approvals: 2}
      retrain_model: {approvals: 1}
"""


def test_a_request_the_fallback_approvers_cannot_reach_says_so_in_its_message_and_audit(  # type: ignore[no-untyped-def]
        tmp_path: Path, now) -> None:
    """AGENTOPS_APPROVERS is the lead and the requester; under four-eyes only the lead may approve, so two
    approvals can never be given."""
    with remediation(tmp_path, now, agentops_four_eyes=True,
                     action_policy_file=policy_file(tmp_path, TWO_FROM_THE_FALLBACK)) as (d, _):
        async def story(requests: dict[str, Approval]) -> None:
            short, enough = requests["rollback_model"], requests["retrain_model"]
            [asked] = [e for e in d.deps.store.audit.entries(short.request_id) if e.action == "approval.request"]
            assert asked.details["too_few_approvers"].startswith(
                "it needs 2 distinct approvals but only 1 approver may give them besides the requester")
            [fine] = [e for e in d.deps.store.audit.entries(enough.request_id) if e.action == "approval.request"]
            assert "too_few_approvers" not in fine.details
            fallback = d.deps.settings.agentops_approvers
            shown = SlackStandIn.render_blocks({"blocks": approval_request(short, fallback, True)[1]})
            assert "⚠️ it needs 2 distinct approvals but only 1 approver may" in shown and "can only expire" in shown
            assert "⚠️" not in SlackStandIn.render_blocks({"blocks": approval_request(short, fallback, False)[1]})

        play(d, story)


def test_the_store_down_is_said_once_per_spell_however_production_proposals_fall_between(  # type: ignore[no-untyped-def]
        tmp_path: Path, now) -> None:
    """A production proposal never reads the track record, so it says nothing about the store being back."""
    with remediation(tmp_path, now, action_policy_file=policy_file(tmp_path, SANDBOX + """
  production:
    actions:
      rollback_model: {approvals: 1}
""")) as (d, _):
        db = tmp_path / "agentops.db"

        async def propose(target: str) -> None:
            await say_degraded(d.deps, await plan_for(d.deps, "retrain_model", target))

        def store_down() -> None:
            # the store stops answering: its file gone (SQLite opens an empty one, without the tables)
            d.deps.store.engine.dispose()
            db.rename(tmp_path / "away.db")

        async def run() -> None:
            store_down()
            for target in ("classifier_v2", "fraud_model", "classifier_v2", "fraud_model", "classifier_v2"):
                await propose(target)  # sandbox, production, sandbox, …
            assert len(d.announcer.of("governance_degraded")) == 1
            d.deps.store.engine.dispose()
            (tmp_path / "away.db").replace(db)  # back: a sandbox plan reads the track record, the spell ends
            await propose("classifier_v2")
            store_down()
            await propose("classifier_v2")
            assert len(d.announcer.of("governance_degraded")) == 2

        asyncio.run(run())


def test_an_unusable_policy_is_said_by_one_replica_and_again_in_its_next_spell(  # type: ignore[no-untyped-def]
        tmp_path: Path, now) -> None:
    path = policy_file(tmp_path, SANDBOX)

    def edit(text: str, later: int) -> None:
        path.write_text(text)
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + later))  # whatever the clock's grain

    with remediation(tmp_path, now, action_policy_file=path) as (d, _), replica(d) as r:
        # the other replica reads the policy file for itself
        other = Domain(replace(r.deps, governance=Governance(load_action_policy(path), path, 60)), r.announcer,
                       r.clock)

        async def propose(where: Domain) -> None:
            await say_degraded(where.deps, await plan_for(where.deps, "retrain_model", "classifier_v2"))

        def said() -> int:
            return len(d.announcer.of("governance_degraded")) + len(other.announcer.of("governance_degraded"))

        async def run() -> None:
            edit("policies: [this is: not: a mapping", 5)
            for where in (d, other, d, other):
                await propose(where)
            assert said() == 1
            edit(SANDBOX, 10)
            await propose(d)  # the policy reads again: the spell is over
            edit("policies: [still: not: a mapping", 15)
            await propose(d)
            await propose(other)
            assert said() == 2

        asyncio.run(run())
