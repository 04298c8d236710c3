"""propose_action records a proposal; it never executes anything.

It is no longer offered to Claude: proposals have one channel, the recommended actions of the diagnosis
(submit_diagnosis), which are checked before they become approval requests. A proposal recorded
here reached no one."""

from __future__ import annotations

from typing import get_args

from agents.diagnosis import GATED_ACTIONS, Action
from agents.tools import ToolContext, ToolResult


def propose_action(ctx: ToolContext, action: str, target: str, reason: str, priority: int = 1,
                   condition: str = "") -> ToolResult:
    """Propose a remediation for a human to see. retrain_model and rollback_model need an approver's
    click before anything runs; nothing runs from here.

    Args:
        action: one of retrain_model, rollback_model, monitor, notify_team, create_github_issue,
            quarantine_batch, rerun_pipeline, update_schema_config, adjust_threshold, scale_resources, escalate
        target: the model or pipeline
        reason: why, citing the evidence
        priority: 1 is first
        condition: when it applies, e.g. "if retrain fails"
    """
    if action not in get_args(Action):
        return ToolResult("error", f"unknown action {action!r}; use one of {', '.join(get_args(Action))}")
    proposal = {"action": action, "target": target, "reason": reason, "priority": priority,
                "condition": condition, "requires_approval": action in GATED_ACTIONS}
    ctx.proposals.append(proposal)
    gate = " — approval required before it runs" if proposal["requires_approval"] else ""
    return ToolResult("ok", f"proposed {action} on {target}{gate}", proposal)
