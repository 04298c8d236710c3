"""What the shared budget adds to each model call: summing this hour's and this day's spend (one query)
before the call, and recording the call (one INSERT) and summing again after it, on a state store holding a
month of spend.

Run: .venv/bin/python bench/budget_check.py [--calls-per-day 5000] [--days 30] [--runs 500] [--url URL]
     .venv/bin/python bench/budget_check.py --smoke   (a short run; CI runs it so the bench cannot rot)

The ledger is filled directly (one row per model call, spread over the days), in a SQLite file in a
temporary directory unless --url names another store (e.g. a PostgreSQL schema). Each run is one check
and one record with its check, as bot/budgets/meter.py does around every model call. Goal: p95 < 50 ms
per call (SQLite commits pay an fsync), under 2 % of a model call of about 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.budgets.caps import standings  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.budget import day_of, hour_of  # noqa: E402
from bot.store.tables import model_spend  # noqa: E402

GOAL_MS = 50.0  # under 2 % of a model call of about 3 s
NOW = datetime(2026, 11, 21, 12, 30, tzinfo=UTC)


def fill(store, calls_per_day: int, days: int) -> int:  # type: ignore[no-untyped-def]
    step = timedelta(days=1) / calls_per_day
    rows = [{"at": (at := NOW - step * n).replace(tzinfo=None), "hour": hour_of(at), "day": day_of(at),
             "model": "claude-sonnet-4-6", "tokens": 5_000, "cost_usd": 0.02, "investigation_id": f"i{n // 4}"}
            for n in range(1, calls_per_day * days)]
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 5_000):
            conn.execute(insert(model_spend), rows[start:start + 5_000])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls-per-day", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--url", default="", help="a state store URL (default: a temporary SQLite file)")
    parser.add_argument("--smoke", action="store_true", help="a short run: checks the bench still works")
    args = parser.parse_args()
    per_day, days, runs = (200, 2, 20) if args.smoke else (args.calls_per_day, args.days, args.runs)
    settings = load_settings(budget_tokens_per_hour=10**12, budget_usd_per_day=10**9)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.url or f"sqlite:///{tmp}/state.db")
        try:
            rows = fill(store, per_day, days)
            checks, records = [], []
            for _ in range(runs):
                start = time.perf_counter()
                standings(store.spend, settings, NOW)
                checks.append(time.perf_counter() - start)
                start = time.perf_counter()
                store.spend.record(at=NOW, model="claude-sonnet-4-6", tokens=5_000, cost_usd=0.02)
                standings(store.spend, settings, NOW)
                records.append(time.perf_counter() - start)
        finally:
            store.close()
    backend = "postgresql" if args.url.startswith("postgres") else "sqlite"
    for name, times in (("check before a call", checks), ("record + check after", records)):
        p50 = statistics.median(times) * 1000
        p95 = statistics.quantiles(times, n=20)[-1] * 1000 if len(times) >= 20 else max(times) * 1000
        print(f"{name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms ({runs} runs, {backend}, {rows:,} ledger rows)")
    worst = statistics.quantiles(records, n=20)[-1] * 1000 if len(records) >= 20 else max(records) * 1000
    print(f"goal p95 < {GOAL_MS:g} ms per call: {'met' if worst < GOAL_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
