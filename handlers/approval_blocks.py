"""Pure builders for approval requests and the actions they gate: the request with its buttons,
the request once decided or expired, and an action's progress and verified outcome."""

from __future__ import annotations

from bot.auto_investigate import AUTO_REQUESTER
from bot.permissions.approvers import too_few
from bot.remediation.decisions import ClickResult
from bot.store.records import Approval
from handlers.actions.ids import APPROVE_ACTION, DENY_ACTION
from handlers.blocks import Blocks, button, context, header, progress_lines, section
from handlers.investigation_blocks import clip
from handlers.mrkdwn import code, esc, link, mention, when
from handlers.permission_blocks import decider, deciders, environment_note, vote_told, votes_line

VERBS = {"rollback_model": "Roll back", "retrain_model": "Retrain"}
DECIDED = {"approved": "✅ Approved", "denied": "🚫 Denied"}


def _who_proposed(approval: Approval) -> str:
    engine = {"claude": "Claude", "offline": "the offline runbook investigator"}.get(approval.proposed_by) \
        or mention(approval.proposed_by)
    # the header says the action in words; the id here is what the audit log and the ML service call it
    started = ("an auto-investigation" if approval.requested_by == AUTO_REQUESTER
               else f"an investigation {mention(approval.requested_by)} started")
    return f"{code(approval.action)} on *{esc(approval.target)}* proposed by {engine} in {started}"


def _title(approval: Approval) -> str:
    """Plain words (for headers, which Slack never interprets); `esc` them for mrkdwn."""
    return f"{VERBS.get(approval.action, approval.action)} {approval.target}"


def headline(reason: str) -> tuple[str, str]:
    """The diagnosis in one line, and the proposal's condition: the reason is the root cause with the
    condition in parentheses at its end (bot/remediation/proposals.py)."""
    condition = ""
    if reason.endswith(")") and " (" in reason:
        reason, condition = reason[:-1].rsplit(" (", 1)
    first = reason.split("; ", 1)[0].split(". ", 1)[0]
    return clip(first, 120), condition


def _what(approval: Approval, diagnosis: str = "") -> str:
    line, condition = headline(approval.reason)
    seen = f" ({link(diagnosis, 'the diagnosis')})" if diagnosis else " (the diagnosis above)"
    when_ = f"\n*When* {esc(condition)}" if condition else ""
    return f"*Why* {esc(line)}{seen}{when_}"


def _confirm(approval: Approval) -> dict:
    """A second look before a rollback or retrain runs on the serving service (plain text: never markup)."""
    title = _title(approval)
    return {"title": {"type": "plain_text", "text": clip(f"{title}?", 100)},
            "text": {"type": "plain_text", "text": clip(
                f"{title} on the ML serving service now? AgentOps runs it and verifies it, and the thread "
                "shows the outcome. It is not undone from Slack.", 300)},
            "confirm": {"type": "plain_text", "text": "Approve and run"},
            "deny": {"type": "plain_text", "text": "Not yet"}, "style": "danger"}


def approval_request(approval: Approval, approvers: list[str], four_eyes: bool,
                     diagnosis: str = "") -> tuple[str, Blocks]:
    """The request: action, target, the diagnosis in one line (linked), who proposed it, expiry,
    [Approve] (with a confirm dialog) [Deny]. `diagnosis` is the diagnosis message's permalink."""
    who = ", ".join(deciders(approvers)) if approvers else (
        "⚠️ nobody: AGENTOPS_APPROVERS is empty, so this request can only expire")
    rule = " (not the requester: four-eyes rule)" if four_eyes else ""
    rule += votes_line(approval)
    if short := too_few(approvers, approval.approvals_needed, approval.requested_by, four_eyes):
        rule += f" · ⚠️ {esc(short)}"
    approve = button("Approve", APPROVE_ACTION, approval.request_id, style="primary")
    if approval.action in VERBS:
        approve["confirm"] = _confirm(approval)
    text = esc(f"🛂 Approval needed: {_title(approval)} — {headline(approval.reason)[0]}")
    return text[:3000], [
        header(f"🛂 Approval needed: {_title(approval)}"),
        section(_what(approval, diagnosis)),
        context(f"{_who_proposed(approval)}{environment_note(approval)} · expires {when(approval.expires_at)} · "
                f"may decide: {who}{rule}"),
        {"type": "actions", "block_id": "approval", "elements": [
            approve, button("Deny", DENY_ACTION, approval.request_id, style="danger")]},
    ]


def proposal_dropped(action: str, target: str, why: str) -> tuple[str, Blocks]:
    """A proposal that did not become a request: nothing to click, and why (the target is model-written)."""
    text = (f"🚫 Not proposed for approval: {code(action, 40)} on {code(target, 80)}, because {esc(why)}. "
            "Nothing was requested; the audit log has it.")
    return text, [section(text)]


def approval_closed(approval: Approval) -> tuple[str, Blocks]:
    """The request once decided or expired: the buttons are gone, the decision says who and when."""
    if approval.status == "expired":
        said = "nobody decided in time; nothing was done"
        text = f"⌛ {esc(_title(approval))} expired: {said}"
        outcome = f"⌛ Expired {when(approval.expires_at)}: {said}"
    else:
        by = ", ".join(mention(u) for u in approval.voters) if len(approval.voters) > 1 else decider(approval)
        decided = f"{DECIDED.get(approval.status, approval.status)} by {by}"
        text = f"{esc(_title(approval))}: {decided}"
        outcome = decided + (f" {when(approval.decided_at, seconds=True)}" if approval.decided_at else "")
    return text[:3000], [
        header(f"🛂 {_title(approval)}"),
        # why and when were read before deciding; once decided, what was done and by whom is the news
        section(f"*{outcome}*"),
        context(_who_proposed(approval)),
    ]


def action_progress(approval: Approval, steps: list[str]) -> tuple[str, Blocks]:
    text = esc(f"⚙️ {_title(approval)}: {steps[-1] if steps else 'starting'}")
    return text, [section(f"⚙️ *{esc(_title(approval))}* (approved by {decider(approval)})\n"
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
        if result.why:
            return f"{result.why}. Your click was logged."
        if result.allowed:
            return (f"This action's policy lets only {', '.join(deciders(list(result.allowed)))} {verb} it; ask one "
                    "of them. Your click was logged.")
        listed = ", ".join(mention(u) for u in approvers) or "nobody (AGENTOPS_APPROVERS is empty)"
        return f"Only approvers can {verb} actions; ask one of: {listed}. Your click was logged."
    if result.outcome in ("voted", "already_voted") and result.approval is not None:
        return vote_told(result.approval, again=result.outcome == "already_voted")
    if result.outcome == "four_eyes":
        return ("You started the investigation that proposed this, and the four-eyes rule needs someone else to "
                "approve it. Ask another approver. Your click was logged.")
    if result.outcome == "wrong_message":
        return ("That click did not come from the approval request's own message, so it decided nothing. Use the "
                "buttons on the request in its alert's thread. Your click was logged.")
    if result.outcome == "unknown_request" or result.approval is None:
        return "That approval request does not exist; nothing was done. Your click was logged."
    return too_late(result.approval)
