"""What `/agentops stats` costs before Slack sees anything: computing the report from the state store,
drawing its three charts and building the message, on a planned history (tests/helpers/history.py).

Run: .venv/bin/python bench/stats_time.py [--incidents 2000] [--days 365] [--runs 5]
     .venv/bin/python bench/stats_time.py --smoke   (one short run; CI runs it so the bench cannot rot)

The history is written once into a SQLite store in a temporary directory; each run computes the report
for the window, draws the charts (the first draw also pays matplotlib's import, reported apart) and
builds the Block Kit. Goal: compute + charts + message < 2 s for a year of 2,000 incidents.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.analytics.charts import all_charts  # noqa: E402
from bot.analytics.stats import compute  # noqa: E402
from bot.store import open_store  # noqa: E402
from handlers.stats_blocks import stats_message  # noqa: E402
from tests.helpers.history import plan_history, write_history  # noqa: E402

GOAL_SEC = 2.0
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365, help="the history's span and the report's window")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="one short run: checks the bench still works")
    args = parser.parse_args()
    incidents, days, runs = (20, 30, 1) if args.smoke else (args.incidents, args.days, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/state.db")
        try:
            write_history(store, plan_history(NOW, count=incidents, days=days))
            start = time.perf_counter()
            all_charts(compute(store, now=NOW, days=days))  # matplotlib's import, once per process
            first = time.perf_counter() - start
            timed: list[tuple[float, float, float]] = []
            for _ in range(runs):
                t0 = time.perf_counter()
                report = compute(store, now=NOW, days=days)
                t1 = time.perf_counter()
                charts = all_charts(report)
                t2 = time.perf_counter()
                stats_message(report)
                timed.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
        finally:
            store.close()
    computing, drawing, building = (statistics.median(t[i] for t in timed) for i in range(3))
    total = computing + drawing + building
    print(f"/agentops stats, {incidents} incidents over {days} days, median of {runs} runs: compute "
          f"{computing * 1000:.0f} ms, three charts {drawing * 1000:.0f} ms "
          f"({sum(len(png) for _, png in charts) / 1024:.0f} KiB), message {building * 1000:.1f} ms; "
          f"total {total:.2f} s (goal < {GOAL_SEC:.0f} s); first run with matplotlib's import {first:.2f} s")


if __name__ == "__main__":
    main()
