"""`agentops stats` by size of history: how long compute() takes on a state store holding N incidents.

Run: .venv/bin/python bench/stats_scale.py [--runs 3] [--incidents 200 1000 3000]
     .venv/bin/python bench/stats_scale.py --smoke   (seconds; CI runs it so the bench cannot rot)

Each size gets a fresh SQLite store filled with the planned history of tests/helpers/history.py (N
incidents over 60 days), written through the store's public methods (slow: one transaction per step, as
the bot writes them); compute() over the default 30 days is timed (the median of --runs). Its reads are
three queries whatever the size, so its time grows with the incidents in the window only. Goal: under a
second at 3,000 incidents (50 a day, far more than a team can look at).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.analytics.stats import compute
from bot.store import open_store
from tests.helpers.history import plan_history, write_history


def measure(incidents: int, runs: int) -> tuple[float, float, int]:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(f"sqlite:///{Path(scratch) / 'state.db'}")
        try:
            started = time.perf_counter()
            write_history(store, plan_history(now, count=incidents, days=60))
            filled = time.perf_counter() - started
            timings, report = [], None
            for _ in range(runs):
                started = time.perf_counter()
                report = compute(store, now=now)
                timings.append(time.perf_counter() - started)
        finally:
            store.close()
    assert report is not None and report.incidents > 0
    return statistics.median(timings), filled, report.incidents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--incidents", type=int, nargs="+", default=[200, 1000, 3000])
    parser.add_argument("--smoke", action="store_true", help="one small size, one run")
    args = parser.parse_args()
    sizes, runs = ([50], 1) if args.smoke else (args.incidents, args.runs)
    print(f"{'incidents':>10} {'in window':>10} {'compute s':>10} {'fill s':>8}")
    for size in sizes:
        seconds, filled, in_window = measure(size, runs)
        print(f"{size:>10} {in_window:>10} {seconds:>10.3f} {filled:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
