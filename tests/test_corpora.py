"""The runbooks and incident reports say what the specification asks of them."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

RUNBOOKS = {
    "model_drift.md": ["concept drift", "data drift", "> 0.2", "> 0.3", "V1", "V28", "Time", "Amount",
                       "upstream schema change", "seasonal", "data-source outage", "vendor API change",
                       "monitor for 24 h", "retrain with new data", "immediate rollback", "#data-alerts",
                       "retraining.md"],
    "data_quality.md": ["null rates", "out-of-range", "schema mismatches", "> 5 %", "> 10 %", "ETL failures",
                        "source-system migrations", "timezone", "quarantine the bad batch", "alert the data team",
                        "rerun the pipeline", "SELECT", "FROM DATA_QUALITY"],
    "latency_spike.md": ["p50", "< 100 ms", "p95", "< 500 ms", "p99", "< 1 s", "model size", "queue depth",
                         "CPU/memory", "model too complex", "slow feature pipeline", "resource contention",
                         "scale resources", "optimise the model", "enable batching"],
    "retraining.md": ["5 %", "0.3", "weekly", "10,000 new labelled samples", "data-quality check passed",
                      "classifier", "Optuna, 5 trials", "30", "new F1 ≥ production F1 − 0.01", "staging",
                      "smoke tests", "blue-green"],
    "rollback.md": ["accuracy drops after a deploy", "latency spikes", "error rate above 5 %",
                    "POST /model/rollback", "verify health", "30 minutes", "standby", "incident report",
                    "investigate"],
    "incident_response.md": ["P1", "P2", "P3", "< 15 min", "< 1 h", "< 24 h", "detect", "triage", "investigate",
                             "remediate", "post-mortem", "Slack", "GitHub issue", "email", "what happened",
                             "root cause", "timeline", "lessons learned"],
}
INCIDENTS = {
    "inc_2026_0115_v14_drift.md": ["V14", "vendor API format change", "retrain"],
    "inc_2026_0120_null_spike.md": ["15 %", "Amount", "timezone", "ETL"],
    "inc_2026_0203_latency.md": ["p99", "3 s", "larger", "rollback", "prun"],
    "inc_2026_0210_accuracy_drop.md": ["0.91", "0.78", "pipeline outage", "clean data"],
    "inc_2026_0215_false_positive.md": ["300 %", "Valentine", "temporal features"],
    "inc_2026_0218_schema_change.md": ["added a field", "feature_pipeline", "schema config"],
    "inc_2026_0222_anomaly_spike.md": ["Isolation Forest", "25 %", "promotion", "contamination"],
    "inc_2026_0225_retraining_fail.md": ["0.65", "evaluation gate", "class imbalance", "class weights"],
}
TEMPLATE = ["## Summary", "## Severity", "## Timeline", "## Root Cause", "## Resolution", "## Lessons Learned",
            "## Affected Components"]


@pytest.mark.parametrize(("name", "points"), RUNBOOKS.items())
def test_runbook_covers_its_points(name: str, points: list[str]) -> None:
    text = (ROOT / "runbooks" / name).read_text()
    assert len(text) > 500
    missing = [p for p in points if p.lower() not in text.lower()]
    assert not missing, f"{name} misses {missing}"


def test_runbooks_are_exactly_the_six() -> None:
    assert sorted(p.name for p in (ROOT / "runbooks").glob("*.md")) == sorted(RUNBOOKS)


@pytest.mark.parametrize(("name", "facts"), INCIDENTS.items())
def test_incident_report_follows_the_template(name: str, facts: list[str]) -> None:
    text = (ROOT / "incidents" / name).read_text()
    date = re.match(r"inc_(\d{4})_(\d{4})_", name)
    assert text.startswith(f"# Incident Report: INC-{date.group(1)}-{date.group(2)}\n")
    assert [h for h in TEMPLATE if h in text] == TEMPLATE
    assert len(text) > 500
    assert re.search(r"## Severity\nP[123]", text)
    assert re.search(r"^- \d\d:\d\d — ", text, re.M), "timeline entries are HH:MM — event"
    missing = [f for f in facts if f.lower() not in text.lower()]
    assert not missing, f"{name} misses {missing}"


def test_incidents_are_exactly_the_eight() -> None:
    assert sorted(p.name for p in (ROOT / "incidents").glob("*.md")) == sorted(INCIDENTS)
