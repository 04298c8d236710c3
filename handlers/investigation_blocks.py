"""Pure builders for an investigation in a thread: the diagnosis (with 👍/👎 for it) and a failure.

Progress is the thread's status line (`handlers/thread_status.py`), so the thread keeps only these.
"""

from __future__ import annotations

from agents.investigation import InvestigationResult
from handlers.actions.ids import FEEDBACK_DIAGNOSIS
from handlers.blocks import Blocks, context, feedback, header, section
from handlers.links import NO_LINKS, Links
from handlers.mrkdwn import code, esc

MAX_EVIDENCE = 6
EVIDENCE_LINE = 400
VERBS = {"rollback_model": "roll back", "retrain_model": "retrain"}


def diagnosis_blocks(component: str, outcome: InvestigationResult, links: Links = NO_LINKS) -> tuple[str, Blocks]:
    diagnosis, usage = outcome.diagnosis, outcome.usage
    evidence = "\n".join(f"• {esc(clip(line, EVIDENCE_LINE))}" for line in diagnosis.evidence[:MAX_EVIDENCE])
    actions = "\n".join(
        f"{a.priority}. {code(a.action)} on *{esc(a.target)}*"
        + (" — needs an approver" if a.requires_approval else "") + (f" ({esc(a.condition)})" if a.condition else "")
        for a in diagnosis.recommended_actions)
    similar = esc(", ".join(diagnosis.similar_incidents)) or "none found"
    if outcome.engine == "claude":
        cost = (f"Claude, {usage.calls} calls, {usage.input_tokens:,} input + {usage.cache_read_tokens:,} cached + "
                f"{usage.output_tokens:,} output tokens, {_usd(usage.cost_usd)}")
    else:
        spent = f" ({usage.total:,} tokens, {_usd(usage.cost_usd)} spent first)" if usage.total else ""
        cost = "offline runbook investigator" + spent
    note = [section(f"⚠️ {esc(outcome.note)}")] if outcome.note else []
    dashboard = links.dashboard_for(component)
    return notification(component, outcome), [
        header(f"🩺 {component}: {diagnosis.root_cause_category.replace('_', ' ')}"), *note,
        section(f"*Root cause* (confidence {diagnosis.confidence:.0%})\n{esc(diagnosis.root_cause)}"),
        section(f"*Evidence*\n{evidence}"),
        section(f"*Proposed actions*\n{actions}"),
        context(f"Runbook {links.runbook(diagnosis.runbook_reference)} · similar incidents: {similar} · {cost}"
                + (f" · {dashboard}" if dashboard else "")),
        feedback(FEEDBACK_DIAGNOSIS),
    ]


def notification(component: str, outcome: InvestigationResult) -> str:
    """What a phone shows: the verdict and what it asks of people, not the first 100 characters of prose."""
    diagnosis = outcome.diagnosis
    asks = [VERBS[a.action] for a in diagnosis.recommended_actions if a.requires_approval and a.action in VERBS]
    ask = f"; proposes {' then '.join(asks)} (needs an approver)" if asks else ""
    return esc(f"Diagnosis for {component}: {diagnosis.root_cause_category.replace('_', ' ')}, "
               f"{diagnosis.confidence:.0%} confident{ask}")[:3000]


def _usd(amount: float) -> str:
    # a cent is too coarse for one investigation (most cost a few cents)
    return f"${amount:.4f}" if amount < 1 else f"${amount:.2f}"


def failed(component: str, reason: str) -> tuple[str, Blocks]:
    text = f"⚠️ The investigation of {esc(component)} could not finish: {esc(reason)}"
    return text, [section(text)]


def abandoned(component: str, starts: int) -> tuple[str, Blocks]:
    """An investigation closed unfinished because the replica running it stopped (killed or hung)."""
    times = "once" if starts == 1 else f"{starts} times"
    text = (f"⚠️ The investigation of {esc(component)} was closed unfinished: the bot replica running it stopped "
            f"({times}). Nothing was diagnosed; click *Investigate* on the alert to start it again.")
    return text, [section(text)]


def clip(line: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole item ("; ", ", ") or else a whole word, with a visible
    mark: never inside a number or a name ("V4 PSI 0.0")."""
    if len(line) <= limit:
        return line
    cut = line[: limit - 2]
    for sep in ("; ", ", ", " "):
        at = cut.rfind(sep)
        if at > limit // 2:
            return cut[:at].rstrip(",;") + " …"
    return cut + " …"
