"""`agentops export`: the run trace of an incident validates against docs/run-trace.schema.json and holds
every tool call its investigation made — counted independently of the export: from the thread's status
lines (each tool reports itself once) for the demo's offline investigation, and from the tool_use blocks
the scripted Messages API sent for a Claude one."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from bot.clock import ManualClock
from bot.escalation.chain import post_subject
from bot.redact import Redactor
from bot.run_trace import Lookup, TraceNotFound, run_trace
from bot.store import open_store
from seed.slack import SlackStandIn
from tests.helpers.processes import agentops
from tests.helpers.slack_bot import investigating_with_claude, slack  # noqa: F401  (the Slack stand-in fixture)

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "run-trace.schema.json").read_text())
CHANNEL = "C0MLALERTS"
# the thread status each tool sets when it starts (agents/tools/), read back as (tool, the component it names)
STATUSES = [(re.compile(r"is querying model metrics of (\S+)…"), "query_model_metrics"),
            (re.compile(r"is querying feature drift of (\S+)…"), "query_feature_drift"),
            (re.compile(r"is reading the \S+ trend of (\S+)…"), "query_metric_trend"),
            (re.compile(r"is checking data quality of (\S+)…"), "query_data_quality"),
            (re.compile(r"is searching incidents()…"), "similar_incidents")]


def valid(trace: dict) -> dict:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(trace)
    return trace


def tool_called(status: str) -> tuple[str, str]:
    for pattern, tool in STATUSES:
        if found := pattern.fullmatch(status):
            return tool, found.group(1)
    raise AssertionError(f"a status no tool sets: {status!r}")


def named(step: dict) -> tuple[str, str]:
    """A step as its status names it: the tool and the component in its arguments."""
    arguments = step["arguments"]
    names = [str(arguments[k]) for k in ("model_name", "component", "pipeline_name") if k in arguments]
    return step["name"], names[0] if names else ""


@pytest.mark.slow
def test_the_demos_incident_exports_with_every_tool_call_its_investigation_made(tmp_path: Path) -> None:
    demo = agentops("demo", "--keep", cwd=tmp_path)
    workdir = Path(re.search(r"state and warehouse in (\S+)\)", demo.stdout).group(1))  # type: ignore[union-attr]
    try:
        assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
        incident_id = re.search(r"^(INC-\S+): model_drift on classifier_v2 — resolved", demo.stdout, re.M).group(1)  # type: ignore[union-attr]
        exported = agentops("export", "--incident", incident_id, "--format", "json", cwd=tmp_path,
                            AGENTOPS_DATA_DIR=str(workdir))
        assert exported.returncode == 0, exported.stderr
        trace = valid(json.loads(exported.stdout))
        by_alert = agentops("export", "--alert", "accuracy_drop:classifier_v2", cwd=tmp_path,
                            AGENTOPS_DATA_DIR=str(workdir))  # an alert that shares the lead's post
        assert json.loads(by_alert.stdout)["incident"]["incident_id"] == incident_id
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # the statuses the thread showed between the Investigate click and the diagnosis, the first being its start
    story = demo.stdout[demo.stdout.index("clicks Investigate"):demo.stdout.index("🩺 classifier_v2")]
    statuses = re.findall(r"⋯ AgentOps (is .+)$", story, re.M)
    assert statuses[0] == "is investigating classifier_v2…"
    [investigation] = trace["investigations"]
    assert investigation["engine"] == "offline" and investigation["status"] == "done"
    tools = [s for s in investigation["steps"] if s["kind"] == "tool"]
    assert [named(s) for s in tools] == [tool_called(s) for s in statuses[1:]]
    assert len(tools) >= 6 and all(s["duration_ms"] >= 0 and not s["is_error"] for s in tools)
    # each evidence line the thread showed is a tool's output, and the similar incidents its search's
    outputs = [s["output"] for s in tools]
    assert all(line in outputs for line in trace["diagnosis"]["evidence"])
    assert tools[-1]["output"] == "; ".join(trace["diagnosis"]["similar_incidents"])
    # and the rest of the story: both alerts of the post, both approvals with their decisions and verified runs
    assert [a["fingerprint"] for a in trace["alerts"]] == ["model_drift:classifier_v2", "accuracy_drop:classifier_v2"]
    assert [(a["action"], a["status"], a["decided_by"], a["run"]["status"]) for a in trace["approvals"]] == [
        ("rollback_model", "approved", "U0LEAD", "completed"), ("retrain_model", "approved", "U0LEAD", "completed")]
    assert [a["status"] for a in trace["actions"]] == ["completed", "completed"]
    actions = [(e["actor"], e["action"], e["outcome"]) for e in trace["audit"]]
    assert ("U0ONCALL", "alert.investigate", "requested") in actions and \
        ("agentops", "action.retrain_model", "completed") in actions
    assert trace["incident"]["status"] == "resolved" and all(v is not None for v in trace["timings"].values())


def test_a_claude_investigations_trace_holds_every_tool_use_the_model_sent(slack: SlackStandIn, tmp_path: Path,  # noqa: F811
                                                                          now: datetime) -> None:
    with investigating_with_claude(slack, tmp_path / "bot", now) as (api, bot, alert_post):
        slack.wait_for(lambda: next((m for m in slack.messages(CHANNEL, thread_ts=alert_post.ts)
                                     if m.text.startswith("Diagnosis for")), None), timeout=30)
        store = bot.deps.store
        trace = valid(run_trace(store, Lookup("alert", "model_drift:classifier_v2"), now, Redactor()))
    [investigation] = trace["investigations"]
    assert investigation["engine"] == "claude"
    # every tool_use the model sent came back in the conversation's history; the last call's answer is the diagnosis
    sent = [block for m in api.requests[-1]["messages"] if m["role"] == "assistant" for block in m["content"]
            if block["type"] == "tool_use"]
    tools = [s for s in investigation["steps"] if s["kind"] == "tool"]
    assert [(s["name"], s["arguments"]) for s in tools[:-1]] == [(b["name"], b["input"]) for b in sent]
    assert tools[-1]["name"] == "submit_diagnosis" and len(sent) == 4
    results = {r["content"] for r in api.requests[-1]["messages"][-1]["content"] if r["type"] == "tool_result"}
    assert tools[-2]["output"] in results  # the output as the model saw it
    models = [s for s in investigation["steps"] if s["kind"] == "model"]
    assert len(models) == len(api.requests) == 4
    assert sum(s["input_tokens"] for s in models) == investigation["usage"]["input_tokens"] == 4800
    assert round(sum(s["cost_usd"] for s in models), 6) == round(investigation["usage"]["cost_usd"], 6) > 0
    assert trace["diagnosis"]["root_cause"].startswith("V14 and V17 shifted")


def test_an_investigation_from_free_text_exports_alone_with_its_secrets_masked(tmp_path: Path, now: datetime) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    secret = "xoxb-0000-this-is-a-token"
    try:
        record = store.investigations.start(trigger="why is F1 down on classifier_v2", requested_by="U0ONCALL",
                                            now=now, component="classifier_v2")
        assert record is not None
        store.investigations.finish(record.investigation_id, status="done", now=now, engine="offline", diagnosis=None)
        store.investigations.record_steps(record.investigation_id, [dict(
            kind="tool", turn=0, name="check_model_health", arguments={}, output=f"401 for token {secret}",
            is_error=True, error=f"401 for token {secret}", duration_ms=12, stop_reason="", input_tokens=0,
            cache_write_tokens=0, cache_read_tokens=0, output_tokens=0, cost_usd=0.0)])
        trace = valid(run_trace(store, Lookup("investigation", record.investigation_id), ManualClock(now).now(),
                                Redactor([secret])))
        with pytest.raises(TraceNotFound, match="/agentops alerts"):
            run_trace(store, Lookup("incident", "INC-2026-0101-FFFF"), now, Redactor())
    finally:
        store.close()
    assert trace["incident"] is None and trace["timings"]["time_to_detect_sec"] is None
    [step] = trace["investigations"][0]["steps"]
    assert step["output"] == "401 for token ***" and secret not in json.dumps(trace)


def test_an_unknown_id_says_how_to_find_one_and_exits_2(tmp_path: Path) -> None:
    done = agentops("export", "--alert", "model_drift:nowhere", cwd=tmp_path, AGENTOPS_DATA_DIR=str(tmp_path / "d"))
    assert done.returncode == 2 and done.stdout == ""
    assert "no alert with the fingerprint 'model_drift:nowhere'" in done.stderr
    assert "/agentops alerts" in done.stderr and "Traceback" not in done.stderr
    missing = agentops("export", cwd=tmp_path, AGENTOPS_DATA_DIR=str(tmp_path / "d"))
    assert missing.returncode == 2 and "one of the arguments --incident --alert --investigation is required" in \
        missing.stderr


def test_each_incident_of_a_fingerprint_gets_its_own_escalation_and_audit(tmp_path: Path, now: datetime) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    fingerprint, hour = "latency:classifier_v2", timedelta(hours=1)

    def posted(at: datetime) -> str:
        alert = store.alerts.open(fingerprint=fingerprint, alert_type="latency", severity="critical",
                                  component="classifier_v2", message="p99 1,800 ms > 1000 (critical)", metrics={},
                                  now=at)
        assert alert is not None
        incident = store.incidents.open(alert_ids=[alert.alert_id], fingerprint=fingerprint, alert_type="latency",
                                        severity="critical", component="classifier_v2",
                                        breach_started_at=at - hour / 6, now=at)
        store.escalations.claim(subject=post_subject(incident.incident_id), step="1", channel="pagerduty",
                                fingerprint=fingerprint, replica="r1", now=at + hour / 4)
        store.escalations.finish(post_subject(incident.incident_id), "1", "sent", "paged the on-call")
        store.audit.record(actor="agentops", action="escalation.1", subject=fingerprint, outcome="sent",
                           now=at + hour / 4)
        investigation = store.investigations.start(trigger=fingerprint, requested_by="U0ONCALL", now=at,
                                                   alert_id=alert.alert_id, component="classifier_v2")
        assert investigation is not None
        store.investigations.record_steps(investigation.investigation_id, [dict(
            kind="tool", turn=0, name="query_metric_trend", arguments={"component": "classifier_v2"},
            output="x" * 5000, is_error=False, error="", duration_ms=3, stop_reason="", input_tokens=0,
            cache_write_tokens=0, cache_read_tokens=0, output_tokens=0, cost_usd=0.0)])
        store.alerts.resolve(fingerprint, at + hour)
        return incident.incident_id

    try:
        first, second = posted(now), posted(now + 3 * hour)
        earlier = valid(run_trace(store, Lookup("incident", first), now + 5 * hour, Redactor()))
        latest = valid(run_trace(store, Lookup("alert", fingerprint), now + 5 * hour, Redactor()))
    finally:
        store.close()
    assert latest["incident"]["incident_id"] == second  # the fingerprint's latest incident
    for trace, incident, at in ((earlier, first, now), (latest, second, now + 3 * hour)):
        assert [(e["subject"], e["outcome"]) for e in trace["escalation"]] == [(post_subject(incident), "sent")]
        assert [e["at"] for e in trace["audit"]] == [(at + hour / 4).isoformat()]  # its own, not the other's
        assert trace["timings"]["time_to_detect_sec"] == 600.0 and trace["timings"]["time_to_acknowledge_sec"] == 0
        [step] = trace["investigations"][0]["steps"]
        assert (len(step["output"]), step["output_chars"], step["output_truncated"]) == (4000, 5000, True)


def test_time_to_acknowledge_is_the_first_acknowledgement_not_its_renewal(tmp_path: Path, now: datetime) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        alert = store.alerts.open(fingerprint="latency:classifier_v2", alert_type="latency", severity="critical",
                                  component="classifier_v2", message="p99 1,800 ms > 1000 (critical)", metrics={},
                                  now=now)
        assert alert is not None
        incident = store.incidents.open(alert_ids=[alert.alert_id], fingerprint=alert.fingerprint,
                                        alert_type="latency", severity="critical", component="classifier_v2",
                                        breach_started_at=now, now=now)
        assert store.escalations.acknowledge([alert.alert_id], "U0ONCALL", now + timedelta(minutes=3))
        # escalated an hour on, acknowledged again two hours after the post
        assert store.escalations.acknowledge([alert.alert_id], "U0LEAD", now + timedelta(hours=2),
                                             since=now + timedelta(hours=1))
        trace = valid(run_trace(store, Lookup("incident", incident.incident_id), now + timedelta(hours=3),
                                Redactor()))
    finally:
        store.close()
    assert trace["timings"]["time_to_acknowledge_sec"] == 180.0
    assert trace["alerts"][0]["acked_by"] == "U0LEAD"  # the latest acknowledgement is still the one shown
