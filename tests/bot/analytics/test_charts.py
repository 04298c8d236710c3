"""The stats charts: PNGs from a report, a taller chart for more alert types, a readable one for an empty window."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import timedelta

from bot.analytics import charts
from bot.analytics.report import Percentiles, WeekCost, WeekOutcomes
from tests.helpers.stats_reports import busy_report, empty_report

PNG = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk follows the signature
    return width, height


def test_each_chart_is_a_png_in_the_order_they_are_posted() -> None:
    drawn = charts.all_charts(busy_report())
    assert [name for name, _ in drawn] == ["outcomes", "resolve-times", "cost"]
    assert all(size(png) == (800, 360) for _, png in drawn)
    assert len({png for _, png in drawn}) == 3


def test_an_empty_window_draws_a_chart_that_says_so() -> None:
    for name, png in charts.all_charts(empty_report()):
        assert size(png) == (800, 360), name
    # weeks with nothing closed, types never resolved and weeks without resolutions count as empty too
    quiet = replace(busy_report(), time_to_resolve_by_type={"latency": Percentiles(0, None, None)},
                    weekly_outcomes=(), weekly_cost=())
    assert charts.resolve_times(quiet) == charts.resolve_times(replace(quiet, time_to_resolve_by_type={}))


def test_more_alert_types_draw_a_taller_chart_up_to_a_cap() -> None:
    five, many = size(charts.resolve_times(busy_report()))[1], size(charts.resolve_times(busy_report(types=40)))[1]
    assert five == 360 and many == 100 * (1.2 + 0.45 * charts.MAX_TYPES)
    assert size(charts.resolve_times(busy_report(types=400))) == size(charts.resolve_times(busy_report(types=40)))


def test_a_year_of_weeks_with_quiet_ones_draws_at_the_same_size() -> None:
    report = busy_report()
    first = report.weekly_outcomes[0].week
    year = replace(report, since=report.until - timedelta(days=365), days=365,
                   weekly_outcomes=tuple(WeekOutcomes(first + timedelta(weeks=n), n % 3, n % 2, 0) for n in range(53)),
                   weekly_cost=tuple(WeekCost(first + timedelta(weeks=n), n % 4, 0.1 * (n % 4),
                                              0.1 if n % 4 else None) for n in range(53)))
    drawn = charts.all_charts(year)
    assert all(size(png) == (800, 360) for _, png in drawn)
    # quiet weeks are gaps, not "no incidents": the year draws differently from an empty window
    assert charts.cost_per_resolution(year) != charts.cost_per_resolution(empty_report(365))
