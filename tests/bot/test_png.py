"""Charts are drawn in worker threads at once: each drawing must come out as if drawn alone, and none may
go through pyplot's global figure registry."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.png import render


def bars(n: int) -> bytes:
    def draw(axes: Any) -> None:
        axes.bar(range(n % 7 + 2), [(i * n) % 11 + 1 for i in range(n % 7 + 2)])
        axes.set_title(f"chart {n}")
    return render((4, 2.5), draw)


def test_charts_drawn_in_threads_at_once_match_those_drawn_alone() -> None:
    alone = {n: bars(n) for n in range(8)}
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(bars, [n for _ in range(4) for n in range(8)]))
    assert together == [alone[n] for _ in range(4) for n in range(8)]


def test_a_chart_is_drawn_without_pyplot() -> None:
    script = ("import sys; from bot.png import render; "
              "png = render((2, 2), lambda axes: axes.plot([1, 2])); "
              "print(png[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'matplotlib.pyplot' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["True", "False"]
