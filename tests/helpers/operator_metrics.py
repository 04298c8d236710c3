"""Reading the bot's /metrics as Prometheus would, the series the shipped rules and dashboard use, and
promtool (Debian's `prometheus` package), which .ci/run installs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "agentops-rules.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "agentops-rules.test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "agentops-dashboard.json"
# series names in PromQL: the bot's own and the client library's process_/python_ collectors
# (`up` is Prometheus' own, recording rules have a colon)
_SERIES = re.compile(r"\b((?:agentops|process|python)_[a-z0-9_]+)\b")


def scrape(port: int) -> str:
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


def samples(exposition: str) -> dict[tuple[str, frozenset], float]:
    """Every sample: (name, its labels) → value."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(exposition) for s in family.samples}


def value(exposition: str, name: str, **labels: str) -> float:
    return samples(exposition)[(name, frozenset(labels.items()))]


def sample_names(exposition: str) -> set[str]:
    return {name for name, _ in samples(exposition)}


def series_in(expr: str) -> set[str]:
    return set(_SERIES.findall(expr))


def rule_exprs() -> list[str]:
    import yaml

    return [rule["expr"] for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def promtool() -> str:
    """promtool's path; outside CI a machine without it skips, under CI=true that is a failure."""
    found = shutil.which("promtool")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("promtool is missing (Debian package `prometheus`; .ci/run installs it)")
    pytest.skip("promtool is not installed (apt-get install prometheus)")


def run_promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([promtool(), *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT)
