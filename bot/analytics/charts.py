"""The three stats charts as PNG bytes, drawn from a StatsReport: weekly outcomes, time to resolve by
alert type, cost per resolution by week. Pure (report in, PNG out), in the look of the investigation's
trend chart (agents/chart.py); an empty window draws a chart that says so rather than failing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bot.analytics.report import StatsReport
from bot.analytics.text import usd
from bot.png import render

NAVY, RED, GREY, BLUE = "#1d3557", "#e63946", "#a8b2bd", "#457b9d"
SIZE = (8, 3.6)
EMPTY = "no incidents in this window"
# alert types beyond this are left off the chart (slowest p95 first); the message names them all
MAX_TYPES = 12
MAX_WEEK_LABELS = 13  # a quarter's weeks; beyond, every other (or every few) week is labelled
MAX_BAR_LABELS = 13  # a figure over each bar only while the bars are wide enough to hold it


def _window(report: StatsReport) -> str:
    # a second, smaller line: the chart's name stays readable however long the window's words are
    return f"\n{report.since:%Y-%m-%d %H:%M} – {report.until:%Y-%m-%d %H:%M} UTC (last {report.days} days)"


def _week_axis(axes: Any, weeks: list[date], report: StatsReport) -> list[int]:
    """Bars at 0..n-1, labelled with their Monday; a long window labels every few weeks so labels never
    overlap (a year is 53 bars)."""
    step = max(1, -(-len(weeks) // MAX_WEEK_LABELS))
    positions = list(range(len(weeks)))

    def label(week: date) -> str:
        # the window's first and last weeks are cut by it: a short bar there is not a quiet week
        partial = week < report.since.date() or week + timedelta(days=7) > report.until.date()
        return f"{week:%b %d}" + ("\n(part)" if partial and step == 1 else "")

    axes.set_xticks(positions[::step], [label(w) for w in weeks[::step]])
    axes.set_xlabel("week starting (Monday)")
    axes.set_xlim(-0.6, len(weeks) - 0.4)  # the whole window, weeks without a bar too
    return positions


def _png(title: str, draw: Callable[[Any], None] | None, height: float = SIZE[1]) -> bytes:
    def chart(axes: Any) -> None:
        if draw is None:
            axes.set_axis_off()
            axes.text(0.5, 0.5, EMPTY, ha="center", va="center", fontsize=13, color=GREY,
                      transform=axes.transAxes)
        else:
            draw(axes)
            axes.grid(alpha=0.3)
            axes.set_axisbelow(True)
        axes.set_title(title, fontsize=11)

    return render((SIZE[0], height), chart)


def weekly_outcomes(report: StatsReport) -> bytes:
    """Stacked bars per week: auto-fixed, escalated, resolved otherwise."""
    # every week of the window, a quiet one too (a gap is news); empty only when nothing closed at all
    weeks = list(report.weekly_outcomes)
    closed = any(w.auto_fixed + w.escalated + w.resolved_otherwise for w in weeks)

    def draw(axes: Any) -> None:
        labels = _week_axis(axes, [w.week for w in weeks], report)
        fixed = [w.auto_fixed for w in weeks]
        escalated = [w.escalated for w in weeks]
        otherwise = [w.resolved_otherwise for w in weeks]
        axes.bar(labels, fixed, color=NAVY, label="auto-fixed")
        axes.bar(labels, escalated, bottom=fixed, color=RED, label="escalated")
        axes.bar(labels, otherwise, bottom=[a + b for a, b in zip(fixed, escalated, strict=True)], color=GREY,
                 label="resolved otherwise")
        axes.set_ylabel("incidents closed")
        axes.yaxis.get_major_locator().set_params(integer=True)  # counts: no half incidents on the axis
        axes.legend(loc="upper left", fontsize=8, ncols=3)
        axes.margins(y=0.2)  # room for the legend above the tallest bar

    return _png(f"Incidents closed per week, by outcome{_window(report)}", draw if closed else None)


def resolve_times(report: StatsReport) -> bytes:
    """Horizontal grouped bars per alert type: p50 and p95 time to resolve, in minutes."""
    measured = [(t, p) for t, p in report.time_to_resolve_by_type.items() if p.count and p.p50 is not None]
    measured.sort(key=lambda item: -(item[1].p95 or item[1].p50 or 0))
    shown = list(reversed(measured[:MAX_TYPES]))  # barh draws bottom-up: the slowest ends on top

    def draw(axes: Any) -> None:
        rows = range(len(shown))
        p50 = [(p.p50 or 0) / 60 for _, p in shown]
        p95 = [(p.p95 or 0) / 60 for _, p in shown]
        axes.barh([r + 0.2 for r in rows], p95, height=0.4, color=RED, label="p95")
        axes.barh([r - 0.2 for r in rows], p50, height=0.4, color=NAVY, label="p50")
        axes.set_yticks(list(rows), [f"{t} (n={p.count})" for t, p in shown], fontsize=9)
        axes.set_xlabel("minutes from alert post to resolved")
        for row, value in zip(rows, p95, strict=True):
            axes.annotate(f"{value:.0f}", (value, row + 0.2), xytext=(3, 0), textcoords="offset points",
                          va="center", fontsize=8)
        axes.margins(x=0.12)
        # the legend in the reading order of each pair (p95 is drawn above p50)
        handles, labels = axes.get_legend_handles_labels()
        axes.legend(handles, labels, loc="lower right", fontsize=8)

    title = "Time to resolve by alert type"
    if len(measured) > MAX_TYPES:
        title += f" (the slowest {MAX_TYPES} of {len(measured)})"
    title += _window(report)
    return _png(title, draw if shown else None, height=max(SIZE[1], 1.2 + 0.45 * len(shown)))


def cost_per_resolution(report: StatsReport) -> bytes:
    """Bars per week: investigation spend per resolved incident, USD."""
    weeks = list(report.weekly_cost)
    # a week without a resolution has no cost per resolution: a gap on the axis, never a $0 bar
    priced = [(x, w) for x, w in enumerate(weeks) if w.resolved and w.cost_per_resolution_usd is not None]

    def draw(axes: Any) -> None:
        _week_axis(axes, [w.week for w in weeks], report)
        values = [w.cost_per_resolution_usd or 0.0 for _, w in priced]
        axes.bar([x for x, _ in priced], values, color=BLUE)
        if len(weeks) <= MAX_BAR_LABELS:
            for (x, week), value in zip(priced, values, strict=True):
                axes.annotate(f"{usd(value)}\n{week.resolved} resolved", (x, value), xytext=(0, 3),
                              textcoords="offset points", ha="center", va="bottom", fontsize=8)
        axes.set_ylabel("USD per resolved incident")
        axes.yaxis.set_major_formatter(lambda value, _pos: usd(value))
        axes.margins(y=0.25)

    return _png(f"Investigation cost per resolved incident, per week{_window(report)}", draw if priced else None)


CHARTS: tuple[tuple[str, Callable[[StatsReport], bytes]], ...] = (
    ("outcomes", weekly_outcomes),
    ("resolve-times", resolve_times),
    ("cost", cost_per_resolution),
)


def all_charts(report: StatsReport) -> list[tuple[str, bytes]]:
    """(name, PNG) of each chart, in the order they are posted."""
    return [(name, draw(report)) for name, draw in CHARTS]
