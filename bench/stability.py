"""How stable the offline investigator is on every demo scenario under each perturbation, and what that
costs: `agentops stability` in-process, timed, with its figures.

Run: .venv/bin/python bench/stability.py [--n 20] [--jitter-scale 1]
     .venv/bin/python bench/stability.py --smoke   (2 scenarios, 3 runs each; CI runs it so the bench cannot rot)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import main  # noqa: E402


def run(args: list[str]) -> tuple[dict, float]:
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(["stability", "--json", *args])
    if code != 0:
        raise SystemExit(f"agentops stability exited {code}")
    return json.loads(out.getvalue()), time.perf_counter() - started


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--jitter-scale", type=float, default=1.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        args = ["--out", out, "--jitter-scale", str(options.jitter_scale)]
        args += ["--smoke"] if options.smoke else ["--n", str(options.n)]
        data, seconds = run(args)
        png = Path(data["heatmap"]).stat().st_size
    scenarios = data["scenarios"]
    runs = sum(sum(s["runs"].values()) for s in scenarios)
    print(f"{len(scenarios)} scenarios x 3 perturbations x {data['runs_per_cell']} runs = {runs} replays in "
          f"{seconds:.1f} s (seeding and recording included); heatmap {png:,} bytes")
    for kind in ("text", "metrics", "order"):
        stable = [s["stability"][kind] for s in scenarios]
        print(f"  {kind:8s} stable {sum(stable) / len(stable):.1%} (lowest {min(stable):.0%})")
    diverged = sum(len(d) for s in scenarios for d in s["diverged"].values())
    unexplained = sum(s["unexplained"] for s in scenarios)
    print(f"  diverged runs {diverged}, unexplained by a named threshold {unexplained}")
    for s in scenarios:
        if s["flips_at"]:
            print(f"  {s['scenario']} flips at {'; '.join(s['flips_at'])}")
    if unexplained:
        raise SystemExit("a divergence crossed no named threshold")


if __name__ == "__main__":
    main_()
