"""Paging and Block Kit's limits: every list the bot shows, fed more than 100 items, stays within 50 blocks
a message, 100 in Home and 3,000 characters a section."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.records import Approval, Investigation, Silence, StoredAlert
from handlers.alert_list_blocks import alerts_list
from handlers.home.view import HomeData, home_view
from handlers.pages import page_buttons, page_number, page_of
from handlers.silence_blocks import silences_list
from handlers.stats_blocks import stats_message
from seed.slack.blockkit import validate_blocks, validate_view
from tests.helpers.stats_reports import busy_report

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MANY = 137


def sections_within_limit(blocks: list[dict]) -> bool:
    return all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")


def long_alert(i: int) -> StoredAlert:
    return StoredAlert(f"a{i}", f"latency:service_{i}", "latency", "warning", f"service_{i}",
                       f"service_{i}: " + "p95 640 ms > 500 ms; " * 200, {}, "firing",
                       NOW - timedelta(minutes=i), NOW, None, None, None, None)


def test_a_page_says_which_items_it_shows() -> None:
    assert page_of(list(range(57)), 2, 20).showing == "showing 21–40 of 57"
    assert page_of(list(range(57)), 9, 20).items == list(range(40, 57))  # past the end: the last page
    assert page_of([], 1, 20).showing == "all 0" and page_of([1, 2], 0, 20).number == 1
    assert [page_number(v) for v in ("2", " 3 ", "0", "-1", "two", "9" * 7, "", "²", "٣")] == [
        2, 3, None, None, None, None, None, None, None]  # superscripts and other scripts' digits are not pages
    assert page_buttons(page_of([1], 1, 20), "x") == []


def test_every_list_stays_within_block_kits_limits_with_more_than_100_items() -> None:
    alerts = [long_alert(i) for i in range(MANY)]
    silences = [Silence(n, f"latency:model_{n}", "U0ONCALL", "r" * 2000, NOW, NOW + timedelta(hours=n + 1))
                for n in range(MANY)]
    messages = [alerts_list(alerts, NOW, p)[1] for p in range(1, 9)]
    messages += [silences_list(silences, NOW, p)[1] for p in range(1, 9)]
    messages.append(stats_message(busy_report(types=MANY))[1])
    for blocks in messages:
        assert validate_blocks(blocks) == [] and len(blocks) <= 50 and sections_within_limit(blocks)
    approvals = [Approval(f"r{i}", "rollback_model", "classifier_v2", "F1 dropping " * 50, "offline", "U1", None,
                          None, NOW, NOW + timedelta(minutes=5), "pending", None, None, None, None)
                 for i in range(MANY)]
    investigations = [Investigation(f"i{i}", None, "F1 dropped " * 50, "U1", "done", "offline", NOW, NOW,
                                    {"root_cause_category": "distribution_shift"}, 0, 0, 0, None, None)
                      for i in range(MANY)]
    view = home_view(HomeData(None, "warehouse down", alerts, approvals, investigations, True, True, NOW,
                              stats=busy_report(types=MANY)))
    assert validate_view(view) == [] and len(view["blocks"]) <= 100 and sections_within_limit(view["blocks"])
    feed = next(b["text"]["text"] for b in view["blocks"] if b.get("text", {}).get("text", "").startswith(
        "*Firing alerts*"))
    assert feed.endswith(" more · `/agentops alerts` pages through them all")
