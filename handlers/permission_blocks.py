"""Pure builders for environments and permissions: an approval request's environment and votes, what the
policy ran without a click, what it refused, and governance's degraded mode."""

from __future__ import annotations

from bot.permissions.gate import POLICY_ACTOR
from bot.store.records import Approval
from handlers.blocks import Blocks, context, section
from handlers.mrkdwn import code, esc, group_mention, mention

VERBS = {"rollback_model": "Roll back", "retrain_model": "Retrain"}


def deciders(ids: list[str]) -> list[str]:
    """Approvers as the policy names them: users mentioned, user groups as group mentions."""
    return [group_mention(i) if i.startswith("S") else mention(i) for i in ids]


def decider(approval: Approval) -> str:
    return "the action policy" if approval.decided_by == POLICY_ACTOR else mention(approval.decided_by)


def environment_note(approval: Approval) -> str:
    return f" · environment *{esc(approval.environment)}*" if approval.environment else ""


def votes_line(approval: Approval) -> str:
    """' · 1 of 2 approvals: @a' while a request needs more than one distinct approver."""
    if approval.approvals_needed <= 1:
        return ""
    voters = approval.voters
    who = ": " + ", ".join(mention(u) for u in voters) if voters else ""
    return f" · *{len(voters)} of {approval.approvals_needed} approvals*{who} (distinct approvers)"


def vote_told(approval: Approval, *, again: bool) -> str:
    """What a voter is told privately."""
    have, need = len(approval.voters), approval.approvals_needed
    if again:
        return (f"You already approved this; it needs {need} different approvers ({have} of {need} so far), so a "
                "second click from you changes nothing. Ask another approver.")
    return f"Your approval is in: {have} of {need}. It runs once {need - have} more approver(s) approve."


def unattended(approval: Approval, rule: str, standing: str) -> tuple[str, Blocks]:
    """The policy approved a low-risk action: said in the thread, with the rule and the track record."""
    title = f"{VERBS.get(approval.action, approval.action)} {approval.target}"
    env = f" in {approval.environment}" if approval.environment else ""
    text = esc(f"🤖 Running without a click: {title}{env}, under the action policy's rule {rule}")
    return text[:3000], [
        section(f"🤖 *Running without a click: {esc(title)}*{esc(env)}\nThe action policy's rule {code(rule, 80)} "
                f"lets a low-risk {code(approval.action)} run unattended at the level the bot has earned here: "
                f"{esc(standing)}."),
        context("It runs once and is verified like any approved action; the audit log names the rule."),
    ]


def permission_denied(action: str, target: str, why: str) -> tuple[str, Blocks]:
    text = f"🛡️ Permission: {code(action, 40)} on {code(target, 80)}: {esc(why)}. The audit log has it."
    return text[:3000], [section(text[:3000])]


def governance_degraded(reason: str) -> tuple[str, Blocks]:
    text = (f"⚠️ Governance degraded: {esc(reason)}. Until it is back, nothing runs without a click: every "
            "action waits for an approver, as the last readable policy says.")
    return text[:3000], [section(text[:3000])]
