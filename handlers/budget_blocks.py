"""Block Kit for budgets (pure builders): the notice at 80, 95 and 100 % of a cap, and `/agentops budget`."""

from __future__ import annotations

from bot.budgets.caps import BudgetNotice, Standing
from bot.budgets.report import BudgetReport
from bot.store.budget import Spent
from handlers.blocks import Blocks, context, header, section
from handlers.mrkdwn import esc, when

BAR = 20  # characters of a full bar
MODELS_SHOWN = 10


def budget_notice(notice: BudgetNotice) -> tuple[str, Blocks]:
    s, level = notice.standing, notice.level
    what = (f"The {s.cap.name} budget is spent: {s.cap.amount(s.spent)} of {s.cap.amount(s.cap.limit)}"
            if level >= 100 else
            f"The {s.cap.name} budget is at {level} %: {s.cap.amount(s.spent)} of {s.cap.amount(s.cap.limit)}")
    then = ("New investigations run on the offline runbook investigator, and running ones finish on it, until "
            if level >= 100 else "At 100 % investigations switch to the offline runbook investigator until ")
    icon = "🛑" if level >= 100 else "⚠️"
    text = f"{icon} {what}. {then}the window ends at {s.window_end:%H:%M} UTC."
    return text, [section(f"{icon} *{esc(what)}*"),
                  context(f"{then}{when(s.window_end)} (the {s.cap.period}'s window ends). "
                          "`/agentops budget` shows what was spent, by hour, day and model.")]


def _bar(ratio: float) -> str:
    filled = min(BAR, round(ratio * BAR))
    return "█" * filled + "░" * (BAR - filled)


def _cap_line(s: Standing) -> str:
    over = " — *Claude is paused: investigations run offline*" if s.ratio >= 1 else ""
    return (f"*{s.cap.name.capitalize()}*  `{_bar(s.ratio)}` {100 * s.ratio:.0f} %: {esc(s.cap.amount(s.spent))} "
            f"of {esc(s.cap.amount(s.cap.limit))}, until {when(s.window_end)}{over}")


def _table(rows: list[tuple[str, Spent]], first: str) -> str:
    width = max([len(first), *(len(label) for label, _ in rows)])
    lines = [f"{first:<{width}}  {'tokens':>11}  {'USD':>9}"]
    lines += [f"{label:<{width}}  {s.tokens:>11,}  {s.usd:>9,.4f}" for label, s in rows]
    return "```\n" + esc("\n".join(lines)) + "\n```"


def budget_message(report: BudgetReport) -> tuple[str, Blocks]:
    today = report.days[-1][1] if report.days else Spent()
    text = f"Model spend today (UTC): {today.tokens:,} tokens, ${today.usd:,.2f}"
    caps = ("\n".join(_cap_line(s) for s in report.current) if report.current
            else "No caps are set (BUDGET_TOKENS_PER_HOUR, BUDGET_TOKENS_PER_DAY, BUDGET_USD_PER_HOUR, "
                 "BUDGET_USD_PER_DAY): Claude is never paused for spend.")
    hours = [(f"{h:%a %H}:00", s) for h, s in report.hours]
    days = [(f"{d:%a %b %d}", s) for d, s in report.days]
    models = [(m[:60], s) for m, s in report.models[:MODELS_SHOWN]]
    blocks: Blocks = [header("💸 Model spend"), section(caps),
                      section("*By hour, the last 24 hours (UTC)*\n" + _table(hours, "hour")),
                      section("*By day, the last 7 days*\n" + _table(days, "day")),
                      section("*By model, the last 7 days*\n" + (_table(models, "model") if models
                                                                   else "No model calls in the last 7 days."))]
    if len(report.models) > MODELS_SHOWN:
        blocks.append(context(f"{len(report.models) - MODELS_SHOWN} more models; `agentops budget --json` lists all."))
    blocks.append(context(f"Every replica's spend, from the state store, as of {when(report.now)}."))
    return text, blocks
