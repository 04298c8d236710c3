"""How long the `agentops` command takes to start: --help, --version and a runbook question.

Run: .venv/bin/python bench/cli_startup.py [--runs 5]
     .venv/bin/python bench/cli_startup.py --smoke   (one run each; CI runs it so the bench cannot rot)

Each run is a fresh process, as a person types it. Goals: --help < 0.5 s, ask < 1.2 s (medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {"agentops --help": (["--help"], 0.5), "agentops --version": (["--version"], 0.5),
            'agentops ask "What should I do when model drift is detected?"':
                (["ask", "What should I do when model drift is detected?"], 1.2)}


def agentops() -> list[str]:
    """The installed console script when there is one (what people run), else `python -m bot`."""
    script = Path(sys.executable).with_name("agentops")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def one_run(args: list[str], cwd: str) -> float:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {"PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([*agentops(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"agentops {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="one run each: checks the bench still works")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    with tempfile.TemporaryDirectory() as cwd:
        for label, (command, goal) in COMMANDS.items():
            times = [one_run(command, cwd) for _ in range(runs)]
            print(f"{label:68s} median {statistics.median(times):5.2f} s  min {min(times):5.2f} s  "
                  f"max {max(times):5.2f} s  ({runs} runs; goal < {goal} s)")


if __name__ == "__main__":
    main()
