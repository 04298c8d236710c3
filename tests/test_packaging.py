"""AgentOps as a production install gets it: a wheel in a fresh virtualenv, no editable install and no
embedded warehouse (no fakesnow), answering runbook questions from the corpora the wheel ships."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")}
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"})


def needs_the_package_index(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode == 0:
        return
    reason = f"{what} failed: {result.stderr.strip().splitlines()[-1:] or result.stdout[-300:]}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(f"{reason} (needs the package index; CI runs this)")


@pytest.mark.slow
def test_a_wheel_without_the_embedded_extra_answers_from_its_shipped_runbooks(tmp_path: Path) -> None:
    needs_the_package_index(run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist",
                                ROOT, cwd=tmp_path), "building the wheel")
    [wheel] = (tmp_path / "dist").glob("agentops-*.whl")
    venv = tmp_path / "venv"
    # a bare virtualenv, installed into by this pip (--python): bootstrapping a pip of its own costs seconds
    assert run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path).returncode == 0
    # --no-compile: byte-compiling every dependency is most of an install's time, and nothing here needs it
    needs_the_package_index(run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
                                "--no-compile", wheel, cwd=tmp_path), "installing the wheel")

    shipped = run(venv / "bin" / "python", "-c", "import importlib.util as u; print(u.find_spec('fakesnow'), "
                  "u.find_spec('bot').origin)", cwd=tmp_path)
    assert shipped.stdout.split()[0] == "None" and str(venv) in shipped.stdout  # not the source tree's bot/
    answer = run(venv / "bin" / "agentops", "ask", "What should I do when model drift is detected?", cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert "runbooks/model_drift.md" in answer.stdout
    version = run(venv / "bin" / "agentops", "--version", cwd=tmp_path)
    assert version.stdout.startswith("agentops 0.") and version.returncode == 0
    # without the extra, the embedded warehouse is refused in one line that says how to get it
    check = run(venv / "bin" / "agentops", "check", cwd=tmp_path)
    assert check.returncode == 1 and "pip install 'agentops[embedded]'" in check.stderr
    assert "Traceback" not in check.stderr
