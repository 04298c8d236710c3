"""The stats message and App Home's analytics section, built from hand-made reports, without mocks."""

from __future__ import annotations

from dataclasses import replace

from bot.analytics.report import Percentiles
from handlers.commands.stats import parse_days
from handlers.home.view import HomeData, home_view
from handlers.stats_blocks import TYPES_SHOWN, home_section, stats_message
from seed.slack.blockkit import blocks_text, validate_blocks, validate_view
from tests.helpers.stats_reports import UNTIL, busy_report, empty_report


def test_stats_message_shows_every_figure_against_the_targets() -> None:
    text, blocks = stats_message(busy_report())
    shown = blocks_text(blocks)
    assert validate_blocks(blocks) == [] and len(blocks) <= 50
    assert text == "AgentOps stats, last 30 days: 46 incidents, time to resolve p50 12m 00s, auto-fix 68 %"
    assert "2026-11-01 12:00 – 2026-12-01 12:00 UTC · 58 alerts · 46 incidents · 41 resolved" in shown
    assert "*Time to detect*: p50 2m 12s · p95 4m 48s _(n=46)_ — target < 5 min ✅" in shown
    assert "*Auto-fix rate*: 68 % — target > 80 % ⚠️" in shown
    assert "*False-positive rate*: 3.4 % — target < 5 % ✅" in shown
    assert "*Diagnosis confidence*: 0.81 (7 days) · 0.84 (30 days)" in shown
    assert "$8.99 in all · $0.204 per investigation · $0.219 per resolved incident" in shown
    # slowest first
    assert shown.index("`data_quality`: p50 22m 00s · p95 1h 03m") < shown.index("`anomaly_spike`")


def test_an_empty_window_is_dashes_not_zeros() -> None:
    _, blocks = stats_message(empty_report())
    shown = blocks_text(blocks)
    assert "*Time to resolve*: —" in shown and "*Auto-fix rate*: —" in shown and "0 %" not in shown
    assert "$0.000 in all · — per investigation · — per resolved incident" in shown
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
        "MTTD p50 *2m 12s* · MTTA p50 *3m 00s* · MTTR p50 *12m 00s*\n"
        "Auto-fix *68 %* · escalation *13 %* · false positive *3.4 %*\n"
        "Confidence *0.81* (7 d) · *0.84* (30 d) · cost per resolution *$0.219*")
    assert "No incidents in this window." in blocks_text(home_section(empty_report()))
    assert "could not be computed" in blocks_text(home_section(None))
    view = home_view(HomeData(None, "warehouse down", [], [], [], True, True, UNTIL, stats=busy_report()))
    assert validate_view(view) == [] and "MTTR p50 *12m 00s*" in blocks_text(view["blocks"])


def test_the_window_is_typed_as_days() -> None:
    assert [parse_days(t) for t in ("", "7", "90d", "90 days", "1 day", "365", " 14 D ")] == [30, 7, 90, 90, 1, 365, 14]
    assert [parse_days(t) for t in ("0", "366", "7w", "-3", "seven", "30 days ago", "9" * 40)] == [None] * 7
