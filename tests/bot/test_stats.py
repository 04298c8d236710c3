"""The measures of the bot, computed from a synthetic history whose figures are worked out from its plan."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.analytics.stats import compute, percentiles
from bot.store import Store, open_store
from tests.helpers.expected_stats import expected_stats
from tests.helpers.history import plan_history, write_history


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    yield store
    store.close()


@pytest.mark.parametrize("days", [30, 7, 60])
def test_the_report_gives_the_plans_figures(store: Store, now: datetime, days: int) -> None:
    plan = plan_history(now)
    write_history(store, plan)
    report = compute(store, now=now, days=days).to_json()
    expected = expected_stats(plan, now, days)
    assert report == expected
    # the history exercises every measure: none of them is vacuously undefined
    assert all(report[k] is not None for k in ("auto_fix_rate", "escalation_rate", "false_positive_rate",
                                               "confidence_7d", "fallback_rate", "cost_per_resolved_incident_usd"))
    assert report["time_to_act"]["count"] > 0 and (days < 30 or report["false_positive_rate"] > 0)


def test_an_empty_store_reports_nothing_to_divide_by(store: Store, now: datetime) -> None:
    report = compute(store, now=now)
    assert report.incidents == 0 and report.cost_usd == 0
    assert report.auto_fix_rate is None and report.time_to_resolve.p50 is None
    assert len(report.weekly_outcomes) == 5  # 30 days touch five Monday-weeks, all empty
    assert all(w.week.weekday() == 0 for w in report.weekly_outcomes)


def test_the_window_excludes_its_end_and_includes_its_start(store: Store, now: datetime) -> None:
    plan = [p for p in plan_history(now, count=4, days=4)]
    write_history(store, plan)
    at_start = compute(store, now=plan[0].posted_at + timedelta(days=1), days=1)
    assert at_start.incidents == 1  # plan[0] posted exactly at since; plan[1] exactly at until, left out


def test_percentiles_are_nearest_rank() -> None:
    assert percentiles([5.0, 1.0, 3.0, 2.0, 4.0]) == percentiles([1, 2, 3, 4, 5])
    spread = percentiles([float(n) for n in range(1, 21)])
    assert (spread.count, spread.p50, spread.p95) == (20, 10.0, 19.0)
    assert percentiles([7.0]).p95 == 7.0


def test_days_out_of_range_are_refused(store: Store, now: datetime) -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        compute(store, now=now, days=0)
