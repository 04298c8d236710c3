"""How long seeding the drift scenario takes (goal: < 15 s), as the median of several runs.

Run: .venv/bin/python bench/seed_time.py [--runs 5]
     .venv/bin/python bench/seed_time.py --smoke   (one run; CI runs it so the bench cannot rot)
Measures both the in-process seed (warehouse already open) and the whole
`agentops seed --scenario drift` command (process start, embedded warehouse start, seed, close).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import naive_utc  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.warehouse import open_warehouse  # noqa: E402
from seed.loader import seed  # noqa: E402


def in_process(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data_dir, \
                open_warehouse(load_settings(agentops_data_dir=data_dir)) as warehouse:
            start = time.perf_counter()
            seed(warehouse, "drift", naive_utc(datetime.now(UTC)), reset=True)
            times.append(time.perf_counter() - start)
    return times


def whole_command(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cwd:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "seed", "--scenario", "drift"], cwd=cwd, check=True,
                           capture_output=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="one run: checks the bench still works")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    for label, times in (("seed() in process", in_process(args.runs)),
                         ("agentops seed --scenario drift", whole_command(args.runs))):
        print(f"{label:34s} median {statistics.median(times):6.2f} s  "
              f"min {min(times):6.2f} s  max {max(times):6.2f} s  ({len(times)} runs; goal < 15 s)")


if __name__ == "__main__":
    main()
