"""`agentops budget` as a user runs it (a real subprocess) on the default embedded store: the spend every
replica recorded, by hour, day and model, against the caps in its environment."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import load_settings
from bot.store import open_store
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
    assert [(c["period"], c["unit"], c["limit"], c["spent"], c["percent"]) for c in report["caps"]] == [
        ("hour", "tokens", 50_000, 40_000, 80.0), ("day", "usd", 1.0, 0.3, 30.0)]
    assert len(report["hours"]) == 24 and report["hours"][-1]["tokens"] == 40_000
    assert [d["tokens"] for d in report["days"]] == [0, 0, 0, 0, 5_000, 0, 40_000]  # nine days ago is out
    assert report["models"] == [{"model": "claude-sonnet-4-6", "tokens": 35_000, "usd": 0.29},
                                {"model": "claude-haiku-4-5", "tokens": 10_000, "usd": 0.05}]
    text = agentops("budget", cwd=tmp_path, **env)
    assert text.returncode == 0, text.stderr
    print(text.stdout)
    assert "hourly token cap: 40,000 tokens of 50,000 tokens (80 %)" in text.stdout
    assert "daily USD cap: $0.30 of $1.00 (30 %)" in text.stdout
