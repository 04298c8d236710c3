"""The stats message and App Home's analytics section, built from hand-made reports, without mocks."""

from __future__ import annotations

from dataclasses import replace

from bot.analytics.report import Percentiles
from handlers.home.view import HomeData, home_view
from handlers.stats_blocks import TYPES_SHOWN, duration, home_section, percent, stats_message, usd
from seed.slack.blockkit import blocks_text, validate_blocks, validate_view
from tests.helpers.stats_reports import UNTIL, busy_report, empty_report


def test_figures_carry_units_and_nothing_to_measure_reads_as_a_dash() -> None:
    assert [duration(s) for s in (None, 45, 12 * 60, 7068, 3 * 3600)] == ["—", "45 s", "12.0 min", "1 h 58 min",
                                                                           "3 h 00 min"]
    assert [percent(r) for r in (None, 0.0, 28 / 41)] == ["—", "0.0%", "68.3%"]
    assert [usd(v) for v in (None, 0.0, 0.0042, 0.0345, 8.99, 1234.5)] == ["—", "$0.00", "$0.0042", "$0.035", "$8.99",
                                                                             "$1,234.50"]


def test_stats_message_shows_every_figure_against_the_targets() -> None:
    text, blocks = stats_message(busy_report())
    shown = blocks_text(blocks)
    assert validate_blocks(blocks) == [] and len(blocks) <= 50
    assert text == "AgentOps stats, last 30 days: 46 incidents, time to resolve p50 12.0 min, auto-fix 68.3%"
    assert "2026-11-01 12:00 – 2026-12-01 12:00 UTC · 58 alerts · 46 incidents · 41 resolved" in shown
    assert "*Time to detect*: p50 2.2 min · p95 4.8 min _(n=46)_ — target < 5 min ✅" in shown
    assert "*Auto-fix rate*: 68.3% — target > 80% ⚠️" in shown
    assert "*False-positive rate*: 3.4% — target < 5% ✅" in shown
    assert "*Diagnosis confidence*: 81.0% (7 days) · 84.0% (30 days)" in shown
    assert "$8.99 in all · $0.204 per investigation · $0.219 per resolved incident" in shown
    # slowest first
    assert shown.index("`data_quality`: p50 22.0 min · p95 1 h 03 min") < shown.index("`anomaly_spike`")


def test_an_empty_window_is_dashes_not_zeros() -> None:
    _, blocks = stats_message(empty_report())
    shown = blocks_text(blocks)
    assert "*Time to resolve*: —" in shown and "*Auto-fix rate*: —" in shown and "0.0%" not in shown
    assert "Nothing resolved in this window." in shown and validate_blocks(blocks) == []


def test_many_alert_types_show_the_slowest_and_say_how_to_see_the_rest() -> None:
    for types in (30, 150):
        _, blocks = stats_message(busy_report(types=types))
        assert validate_blocks(blocks) == [] and len(blocks) <= 50
        table = blocks[5]["text"]["text"]
        assert len(table) <= 3000 and table.count("\n• ") == TYPES_SHOWN
        assert f"showing the slowest {TYPES_SHOWN} of {types + 5} alert types; `agentops stats --json`" in table


def test_alert_types_from_senders_are_escaped() -> None:
    hostile = replace(busy_report(), time_to_resolve_by_type={"<!channel> `x`": Percentiles(1, 60.0, 60.0)})
    table = stats_message(hostile)[1][5]["text"]["text"]
    assert "<!channel>" not in table and "&lt;!channel&gt;" in table


def test_app_home_shows_the_key_figures_of_the_last_30_days() -> None:
    [figures, hint] = home_section(busy_report())
    assert hint["elements"][0]["text"] == "`/agentops stats [days]` posts every figure with charts"
    assert figures["text"]["text"] == (
        "*Last 30 days* · 46 incidents · 41 resolved\n"
        "MTTD p50 *2.2 min* · MTTA p50 *3.0 min* · MTTR p50 *12.0 min*\n"
        "Auto-fix *68.3%* · escalation *12.8%* · false positive *3.4%*\n"
        "Confidence *81.0%* (7 d) · *84.0%* (30 d) · cost per resolution *$0.219*")
    assert "No incidents in this window." in blocks_text(home_section(empty_report()))
    assert "could not be computed" in blocks_text(home_section(None))
    view = home_view(HomeData(None, "warehouse down", [], [], [], True, True, UNTIL, stats=busy_report()))
    assert validate_view(view) == [] and "MTTR p50 *12.0 min*" in blocks_text(view["blocks"])
