"""Block Kit for a replay's result in the alert's thread: the stability score, per perturbation, the
confidence spread, which runs diverged and why, and which investigator replayed (a Claude replay is
labelled as one, with its model and endpoint). Pure: data in, (text, blocks) out."""

from __future__ import annotations

from typing import Any

from bot.analytics.text import usd
from handlers.blocks import SECTION_LIMIT, Blocks, context, section
from handlers.mrkdwn import code, esc

SHOWN_DIVERGENCES = 8  # the rest are counted; all of them are in the store and in `agentops replay --json`


def _outcome(original: dict[str, Any]) -> str:
    gated = ", ".join(original["gated"]) or "no gated action"
    return f"{original['category']} ({gated})"


def replay_result(summary: dict[str, Any]) -> tuple[str, Blocks]:
    share, runs = summary["stability"], summary["runs"]
    icon = "🟢" if share == 1 else "🟡" if share >= 0.8 else "🔴"
    kinds = " · ".join(f"{esc(k)} {v:.0%}" for k, v in summary["stability_by_perturbation"].items())
    confidence = summary["confidence"]
    text = (f"{icon} Replay of the investigation of {code(summary['component'], 100)}: {share:.0%} stable over "
            f"{runs} runs")
    lines = [f"*{text}*",
             f"Stable = the original outcome, {esc(_outcome(summary['original']))}, reached again. By perturbation: "
             f"{kinds}. Confidence {confidence['min']:.0%}–{confidence['max']:.0%} (original "
             f"{summary['original']['confidence']:.0%})."]
    if summary.get("stopped_early"):
        lines.append(f"⏱️ Stopped early: the replay's deadline ran out after {runs} of {summary['planned_runs']} runs; "
                     "the figures are over those runs.")
    diverged = summary["diverged"]
    lines.append(_diverged(diverged, SECTION_LIMIT - len("\n".join(lines)) - 1) if diverged else "No run diverged.")
    spent = f" · spent {summary['tokens']:,} tokens, {usd(summary['cost_usd'])}" if summary.get("tokens") else ""
    blocks = [section("\n".join(lines)),
              context(f"{esc(summary['investigator'])}{spent} · replayed from the investigation's record, without the "
                      f"warehouse · replay {code(summary['replay_id'], 40)}, seed {summary['seed']}")]
    return text, blocks


def _diverged(diverged: list[dict[str, Any]], room: int) -> str:
    """Whole lines within `room` characters (an escaped divergence can be five times its length): never
    cut inside an escape, and the count of the rest always shown."""
    shown: list[str] = []
    for d in diverged[:SHOWN_DIVERGENCES]:
        line = f"• run {d['run']} ({esc(d['perturbation'])}, seed {d['seed']}): {esc(d['how'][:400])}"
        # room kept for the header and the "…and N more" line
        if len("*Diverged:*") + sum(len(x) + 1 for x in shown) + len(line) + 1 > room - 40:
            break
        shown.append(line)
    more = len(diverged) - len(shown)
    return "*Diverged:*\n" + "\n".join(shown) + (f"\n…and {more} more" if more > 0 else "")


def replay_failed(reason: str) -> tuple[str, Blocks]:
    text = f"⚠️ The replay could not run: {esc(reason)}"
    return text, [section(text)]
