"""`agentops budget` as a user runs it (a real subprocess) on the default embedded store: the spend every
replica recorded, by hour, day and model, against the caps in its environment."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import aware_utc
from bot.config import load_settings
from bot.store import open_store
from bot.store.budget import day_of, hour_of
from tests.helpers.processes import agentops


def test_budget_json_and_text_show_the_recorded_spend_against_the_caps(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    store = open_store(load_settings(agentops_data_dir=tmp_path / ".agentops").state_database_url)
    try:
        store.spend.record(at=now, model="claude-sonnet-4-6", tokens=30_000, cost_usd=0.25, investigation_id="i1")
        store.spend.record(at=now, model="claude-haiku-4-5", tokens=10_000, cost_usd=0.05, investigation_id="i2")
        store.spend.record(at=now - timedelta(days=2), model="claude-sonnet-4-6", tokens=5_000, cost_usd=0.04)
        store.spend.record(at=now - timedelta(days=9), model="claude-sonnet-4-6", tokens=99_999, cost_usd=9.0)
    finally:
        store.close()
    env = {"BUDGET_TOKENS_PER_HOUR": "50000", "BUDGET_USD_PER_DAY": "1"}
    result = agentops("budget", "--json", cwd=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # the command reads its own clock: an hour (or a day) may have turned since the rows were written
    at = datetime.fromisoformat(report["now"])
    this_hour, today = hour_of(at) == hour_of(now), day_of(at) == day_of(now)
    assert [(c["period"], c["unit"], c["limit"], c["spent"]) for c in report["caps"]] == [
        ("hour", "tokens", 50_000, 40_000 if this_hour else 0), ("day", "usd", 1.0, 0.3 if today else 0)]
    hours = {datetime.fromisoformat(h["hour"]): h["tokens"] for h in report["hours"]}
    assert len(hours) == 24 and hours[aware_utc(hour_of(now))] == 40_000 and sum(hours.values()) == 40_000
    days = {d["day"]: d["tokens"] for d in report["days"]}
    assert len(days) == 7 and days[f"{now:%Y-%m-%d}"] == 40_000
    assert days[f"{now - timedelta(days=2):%Y-%m-%d}"] == 5_000 and sum(days.values()) == 45_000  # not 9 days ago
    assert report["models"] == [{"model": "claude-sonnet-4-6", "tokens": 35_000, "usd": 0.29},
                                {"model": "claude-haiku-4-5", "tokens": 10_000, "usd": 0.05}]
    text = agentops("budget", cwd=tmp_path, **env)
    assert text.returncode == 0, text.stderr
    print(text.stdout)
    assert "hourly token cap: 40,000 tokens of 50,000 tokens (80 %)" in text.stdout or not this_hour
    assert "daily USD cap: $0.30 of $1.00 (30 %)" in text.stdout or not today
