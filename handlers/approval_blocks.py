"""Pure builders for approval requests and the actions they gate: the request with its buttons,
the request once decided or expired, and an action's progress and verified outcome."""

from __future__ import annotations

from bot.remediation.decisions import ClickResult
from bot.store.records import Approval
from handlers.actions.ids import APPROVE_ACTION, DENY_ACTION
from handlers.blocks import Blocks, button, context, header, progress_lines, section
from handlers.mrkdwn import code, esc, mention

VERBS = {"rollback_model": "Roll back", "retrain_model": "Retrain"}
DECIDED = {"approved": "✅ Approved", "denied": "🚫 Denied"}


def _who_proposed(approval: Approval) -> str:
    engine = {"claude": "Claude", "offline": "the offline runbook investigator"}.get(approval.proposed_by) \
        or mention(approval.proposed_by)
    return f"proposed by {engine} in an investigation {mention(approval.requested_by)} started"


def _title(approval: Approval) -> str:
    """Plain words (for headers, which Slack never interprets); `esc` them for mrkdwn."""
    return f"{VERBS.get(approval.action, approval.action)} {approval.target}"


def _what(approval: Approval) -> str:
    return f"*Action* {code(approval.action)} on *{esc(approval.target)}*\n*Why* {esc(approval.reason)}"


def approval_request(approval: Approval, approvers: list[str], four_eyes: bool) -> tuple[str, Blocks]:
    """The request: action, target, reason, who proposed it, expiry, [Approve] [Deny]."""
    who = ", ".join(mention(u) for u in approvers) if approvers else (
        "⚠️ nobody: AGENTOPS_APPROVERS is empty, so this request can only expire")
    rule = " (not the requester: four-eyes rule)" if four_eyes else ""
    text = esc(f"🛂 Approval needed: {_title(approval)} — {approval.reason}")
    return text[:3000], [
        header(f"🛂 Approval needed: {_title(approval)}"),
        section(_what(approval)),
        context(f"{_who_proposed(approval)} · expires {approval.expires_at:%H:%M} UTC · "
                f"may decide: {who}{rule}"),
        {"type": "actions", "block_id": "approval", "elements": [
            button("Approve", APPROVE_ACTION, approval.request_id, style="primary"),
            button("Deny", DENY_ACTION, approval.request_id, style="danger")]},
    ]


def proposal_dropped(action: str, target: str, why: str) -> tuple[str, Blocks]:
    """A proposal that did not become a request: nothing to click, and why (the target is model-written)."""
    text = (f"🚫 Not proposed for approval: {code(action, 40)} on {code(target, 80)}, because {esc(why)}. "
            "Nothing was requested; the audit log has it.")
    return text, [section(text)]


def approval_closed(approval: Approval) -> tuple[str, Blocks]:
    """The request once decided or expired: the buttons are gone, the decision says who and when."""
    if approval.status == "expired":
        outcome = f"⌛ Expired at {approval.expires_at:%H:%M} UTC: nobody decided in time; nothing was done"
    else:
        at = f"{approval.decided_at:%H:%M:%S} UTC" if approval.decided_at else ""
        outcome = f"{DECIDED.get(approval.status, approval.status)} by {mention(approval.decided_by)} at {at}"
    text = f"{esc(_title(approval))}: {outcome}"
    return text[:3000], [
        header(f"🛂 {_title(approval)}"),
        section(_what(approval)),
        context(_who_proposed(approval)),
        section(f"*{outcome}*"),
    ]


def action_progress(approval: Approval, steps: list[str]) -> tuple[str, Blocks]:
    text = esc(f"⚙️ {_title(approval)}: {steps[-1] if steps else 'starting'}")
    return text, [section(f"⚙️ *{esc(_title(approval))}* (approved by {mention(approval.decided_by)})\n"
                          f"{progress_lines(steps)}")]


def action_outcome(approval: Approval, status: str, details: str) -> tuple[str, Blocks]:
    mark = "✅" if status == "completed" else "⚠️"
    word = "done and verified" if status == "completed" else "failed"
    text = esc(f"{mark} {_title(approval)} {word}: {details}")
    return text[:3000], [section(f"{mark} *{esc(_title(approval))} {word}*\n{esc(details)}")]


def too_late(approval: Approval) -> str:
    """Why a click came too late, in the clicker's words."""
    if approval.status == "expired":
        return (f"This request expired at {approval.expires_at:%H:%M} UTC; nothing was done. "
                "Run a new investigation to propose it again.")
    at = f" at {approval.decided_at:%H:%M:%S} UTC" if approval.decided_at else ""
    return f"Already {approval.status} by {mention(approval.decided_by)}{at}; your click changed nothing."


def refusal(result: ClickResult, approvers: list[str]) -> str:
    """What the clicker is told privately when a click decided nothing."""
    verb = "approve" if result.decision == "approved" else "deny"
    if result.outcome == "not_approver":
        listed = ", ".join(mention(u) for u in approvers) or "nobody (AGENTOPS_APPROVERS is empty)"
        return f"Only approvers can {verb} actions; ask one of: {listed}. Your click was logged."
    if result.outcome == "four_eyes":
        return ("You started the investigation that proposed this, and the four-eyes rule needs someone else to "
                "approve it. Ask another approver. Your click was logged.")
    if result.outcome == "wrong_message":
        return ("That click did not come from the approval request's own message, so it decided nothing. Use the "
                "buttons on the request in its alert's thread. Your click was logged.")
    if result.outcome == "unknown_request" or result.approval is None:
        return "That approval request does not exist; nothing was done. Your click was logged."
    return too_late(result.approval)
