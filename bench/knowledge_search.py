"""Knowledge search in process: how long one question takes (p50/p95), building the index, and the
question set's hit rate (the right passage in the top 3).

Run: .venv/bin/python bench/knowledge_search.py [--runs 5] [--rounds 20]
     .venv/bin/python bench/knowledge_search.py --smoke   (one short run; CI runs it so the bench cannot rot)

Each run builds a fresh index and asks every question of tests/helpers/knowledge_questions.py `rounds`
times; the figures are the medians over runs. Goal: search p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.knowledge import KnowledgeBase  # noqa: E402
from tests.helpers.knowledge_questions import QUESTIONS, found  # noqa: E402

GOAL_MS = 50.0


def one_run(rounds: int) -> tuple[float, float, float, float]:
    """(build ms, search p50 ms, search p95 ms, hit rate) of one fresh index."""
    start = time.perf_counter()
    kb = KnowledgeBase()
    build = (time.perf_counter() - start) * 1000
    took = []
    for _ in range(rounds):
        for question, _expected in QUESTIONS:
            start = time.perf_counter()
            kb.search(question, limit=3)
            took.append((time.perf_counter() - start) * 1000)
    hits = sum(found(kb.search(q, limit=3), e) for q, e in QUESTIONS)
    return build, statistics.median(took), statistics.quantiles(took, n=20)[18], hits / len(QUESTIONS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20, help="times each question is asked per run")
    parser.add_argument("--smoke", action="store_true", help="one short run: checks the bench still works")
    args = parser.parse_args()
    runs, rounds = (1, 2) if args.smoke else (args.runs, args.rounds)
    results = [one_run(rounds) for _ in range(runs)]
    build, p50, p95, rate = (statistics.median(r[i] for r in results) for i in range(4))
    print(f"knowledge search, {len(QUESTIONS)} questions x {rounds} rounds, median of {runs} runs: "
          f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (goal < {GOAL_MS:.0f} ms); index build {build:.1f} ms; "
          f"right passage in the top 3: {rate:.1%}")


if __name__ == "__main__":
    main()
