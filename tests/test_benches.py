"""Every benchmark still runs: each bench/*.py has a seconds-long --smoke mode, run here, so a bench that
breaks fails the suite instead of rotting unnoticed. The figures themselves come from full runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
HELPERS = {"__init__.py", "children.py", "bare_app.py"}  # imported or started by benches, not benches
BENCHES = sorted(p.name for p in BENCH.glob("*.py") if p.name not in HELPERS)
# smoke-run by another test that also checks what they print
SMOKED_ELSEWHERE = {"demo_time.py": "tests/test_demo.py"}


def test_every_bench_has_a_smoke_mode() -> None:
    assert BENCHES, "no benches found"
    assert [b for b in BENCHES if '"--smoke"' not in (BENCH / b).read_text()] == []
    for bench, test in SMOKED_ELSEWHERE.items():
        source = (BENCH.parent / test).read_text()
        assert bench in source and '"--smoke"' in source, f"{test} no longer runs {bench} --smoke"


@pytest.mark.slow
@pytest.mark.parametrize("bench", [b for b in BENCHES if b not in SMOKED_ELSEWHERE])
def test_the_bench_runs_in_smoke_mode(bench: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {"TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(BENCH / bench), "--smoke"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, f"{bench} --smoke failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert done.stdout.strip(), f"{bench} --smoke printed no figures"
