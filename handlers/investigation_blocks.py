"""Pure builders for an investigation in a thread: progress, the diagnosis, a failure."""

from __future__ import annotations

from agents.investigation import InvestigationResult
from handlers.blocks import Blocks, context, header, progress_lines, section
from handlers.mrkdwn import code, esc

MAX_EVIDENCE = 6


def progress(component: str, steps: list[str]) -> tuple[str, Blocks]:
    text = esc(f"🔎 Investigating {component}: {steps[-1] if steps else 'starting'}")
    return text, [section(f"🔎 *Investigating {esc(component)}*\n{progress_lines(steps)}")]


def diagnosis_blocks(component: str, outcome: InvestigationResult) -> tuple[str, Blocks]:
    diagnosis, usage = outcome.diagnosis, outcome.usage
    evidence = "\n".join(f"• {esc(clip(line, 400))}" for line in diagnosis.evidence[:MAX_EVIDENCE])
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
    text = esc(f"Diagnosis for {component}: {diagnosis.root_cause_category} "
               f"({diagnosis.confidence:.0%}) — {diagnosis.root_cause}")
    note = [section(f"⚠️ {esc(outcome.note)}")] if outcome.note else []
    return text[:3000], [
        header(f"🩺 {component}: {diagnosis.root_cause_category.replace('_', ' ')}"), *note,
        section(f"*Root cause* (confidence {diagnosis.confidence:.0%})\n{esc(diagnosis.root_cause)}"),
        section(f"*Evidence*\n{evidence}"),
        section(f"*Proposed actions*\n{actions}"),
        context(f"Runbook {code(diagnosis.runbook_reference)} · similar incidents: {similar} · {cost}"),
    ]


def _usd(amount: float) -> str:
    # a cent is too coarse for one investigation (most cost a few cents)
    return f"${amount:.4f}" if amount < 1 else f"${amount:.2f}"


def failed(component: str, reason: str) -> tuple[str, Blocks]:
    text = f"⚠️ The investigation of {esc(component)} could not finish: {esc(reason)}"
    return text, [section(text)]


def clip(line: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with a visible mark, never mid-number."""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"
