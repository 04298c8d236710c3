"""`agentops budget` as text for a terminal: the caps, then spend by hour, day and model."""

from __future__ import annotations

from bot.budgets.report import BudgetReport
from bot.store.budget import Spent


def _rows(rows: list[tuple[str, Spent]], first: str) -> list[str]:
    width = max([len(first), *(len(label) for label, _ in rows)])
    return [f"  {first:<{width}}  {'tokens':>11}  {'USD':>9}",
            *(f"  {label:<{width}}  {s.tokens:>11,}  {s.usd:>9,.4f}" for label, s in rows)]


def render(report: BudgetReport) -> str:
    lines = [f"Model spend, every replica, as of {report.now:%Y-%m-%d %H:%M} UTC", ""]
    if not report.current:
        lines.append("No caps are set (BUDGET_TOKENS_PER_HOUR, BUDGET_TOKENS_PER_DAY, BUDGET_USD_PER_HOUR, "
                     "BUDGET_USD_PER_DAY).")
    for s in report.current:
        paused = "  (reached: investigations run offline)" if s.ratio >= 1 else ""
        lines.append(f"{s.cap.name} cap: {s.cap.amount(s.spent)} of "
                     f"{s.cap.amount(s.cap.limit)} ({100 * s.ratio:.0f} %), window ends "
                     f"{s.window_end:%Y-%m-%d %H:%M} UTC{paused}")
    lines += ["", "By hour (last 24 h, UTC):", *_rows([(f"{h:%m-%d %H}:00", s) for h, s in report.hours], "hour"),
              "", "By day (last 7 days):", *_rows([(f"{d:%Y-%m-%d}", s) for d, s in report.days], "day"),
              "", "By model (last 7 days):"]
    lines += _rows(report.models, "model") if report.models else ["  no model calls"]
    return "\n".join(lines)
