"""The terminal table of `agentops stats`: units people read, and "—" for what is undefined."""

from datetime import UTC, datetime

from bot.analytics.stats import compute
from bot.analytics.text import duration, percent, render, usd
from bot.store import open_store


def test_units() -> None:
    assert [duration(s) for s in (None, 42, 250, 3599.6, 7500, 90_000)] == [
        "—", "42s", "4m 10s", "1h 00m", "2h 05m", "1d 01h"]
    assert [percent(r) for r in (None, 0.8235, 0.046, 0.0)] == ["—", "82 %", "4.6 %", "0.0 %"]
    assert [usd(a) for a in (None, 0.0312, 12.5, 0.0)] == ["—", "$0.031", "$12.50", "$0.000"]


def test_an_empty_store_shows_dashes_not_zeros(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        text = render(compute(store, now=datetime(2026, 11, 21, 12, tzinfo=UTC), days=7))
    finally:
        store.close()
    print(text)
    resolve = next(line for line in text.splitlines() if line.strip().startswith("resolve"))
    assert resolve.split() == ["resolve", "—", "—", "0"]
    auto_fix = next(line for line in text.splitlines() if "auto-fix rate" in line)
    assert "—" in auto_fix and "%" not in auto_fix
    assert "2026-11-16" in text  # the week (a Monday) the window ends in
