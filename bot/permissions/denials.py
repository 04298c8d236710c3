"""Every refusal the policy makes is an audited `permission_denied`, and the person sees why: in the
thread (a proposal the environment does not allow, a run that needs a click) or privately (a click)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.deps import Deps
from bot.notify import PostRef

DENIED = "permission_denied"


def audit_denied(deps: Deps, *, actor: str, subject: str, why: str, kind: str, details: dict[str, Any],
                 channel: str | None = None, message_ts: str | None = None) -> None:
    """Blocking (a store write): `kind` is what was refused — not_allowed | approver | level."""
    deps.store.audit.record(actor=actor, action=DENIED, subject=subject[:200], outcome=f"refused:{kind}",
                            now=deps.clock.now(), details={**details, "why": why[:500]}, channel=channel,
                            message_ts=message_ts)


async def refuse(deps: Deps, thread: PostRef, action: str, target: str, subject: str, why: str, kind: str,
                 details: dict[str, Any], *, drop: bool = False) -> None:
    """A refusal about a proposal, audited and said in its thread; `drop`: nothing was requested."""
    await asyncio.to_thread(audit_denied, deps, actor="policy", subject=subject, why=why, kind=kind,
                            details={"action": action, "target": target[:200], **details})
    if drop:
        await deps.announcer.proposal_dropped(thread, action, target, why)
    else:
        await deps.announcer.permission_denied(thread, action, target, why)
