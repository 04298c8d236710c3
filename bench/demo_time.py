"""How long `agentops demo` takes from process start to exit (goal: < 2 min), as the median of several runs.

Run: .venv/bin/python bench/demo_time.py [--runs 3]
     .venv/bin/python bench/demo_time.py --smoke   (one run, its transcript printed too; tests/test_demo.py
                                                    runs this and checks the story, so the bench cannot rot)
Each run is a fresh process in a fresh directory with no AgentOps settings, as a newcomer runs it.
Also reported: where the time goes, from the demo's own transcript timestamps.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run(cwd: str | None = None) -> tuple[float, float, str]:
    """(whole command in seconds, the story itself as the demo reports it, the transcript)."""
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=cwd or scratch, capture_output=True,
                              text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}, timeout=300)
        took = time.perf_counter() - start
    if done.returncode != 0 or "Traceback" in done.stderr:
        raise SystemExit(f"the demo failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    story = float(re.search(r"The whole story took (\d+) s", done.stdout).group(1))  # type: ignore[union-attr]
    return took, story, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one run, with its transcript: checks the bench and "
                                                             "the demo still work")
    parser.add_argument("--cwd", help="run the demo from this directory (default: a fresh temporary one)")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    runs = [one_run(args.cwd) for _ in range(args.runs)]
    whole = [r[0] for r in runs]
    story = [r[1] for r in runs]
    print(f"agentops demo (whole process)  median {statistics.median(whole):6.1f} s  min {min(whole):6.1f} s  "
          f"max {max(whole):6.1f} s  ({len(runs)} runs; goal < 120 s)")
    print(f"  of which the story           median {statistics.median(story):6.1f} s (seed to incident recorded)")
    if args.smoke:
        print("\n" + runs[0][2])


if __name__ == "__main__":
    main()
