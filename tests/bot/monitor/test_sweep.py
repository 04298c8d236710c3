"""What a sweep cannot judge stays unknown: too few measurements in its window for a rule's `for`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.monitor.sweep import sweep
from bot.rules import DEFAULT_RULES, RuleSet
from bot.warehouse import Warehouse


def test_a_rule_with_more_for_than_the_window_holds_neither_fires_nor_clears(
        seeded_warehouse: Callable[..., Warehouse], now: datetime) -> None:
    # four hours of the drift scenario hold far fewer measurements than the 50 this `for` asks for
    patient = tuple(replace(r, for_count=50) if r.name == "accuracy_drop" else r for r in DEFAULT_RULES)
    result = sweep(seeded_warehouse("drift"), RuleSet(rules=patient, lookback=timedelta(hours=4)), now)
    assert "accuracy_drop:classifier_v2" not in {a.fingerprint for a in result.alerts}
    assert not result.cleared("accuracy_drop:classifier_v2", "classifier_v2")  # unknown, not recovered
    assert result.cleared("latency:classifier_v2", "classifier_v2")  # judged (for 2), and not breaching
    assert not result.cleared("data_quality:retired_model", "retired_model")  # nothing in the window at all
