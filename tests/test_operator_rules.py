"""The shipped alert rules and dashboard: valid for Prometheus' own tooling and for Grafana, and each
alert fires on the history it is for (deploy/prometheus/agentops-rules.test.yml)."""

from __future__ import annotations

import json

import yaml

from tests.helpers.operator_metrics import (
    DASHBOARD,
    RULE_TESTS,
    RULES,
    dashboard_exprs,
    rule_exprs,
    run_promtool,
    series_in,
)

ALERTS = {"AgentOpsDown", "AgentOpsAbsent", "SweepStalled", "SlackSocketDown", "LLMFallbackRateHigh",
          "BudgetBurnHigh", "BudgetExceeded"}


def test_promtool_accepts_the_rules() -> None:
    checked = run_promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 8 rules found" in checked.stdout


def test_promtool_unit_tests_of_every_alert_pass() -> None:
    tested = run_promtool("test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    covered = {case["alertname"] for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
               for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert covered == ALERTS  # each alert is shown firing at least once


def test_every_alert_has_for_severity_summary_description_and_a_runbook() -> None:
    rules = [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]
    alerts = [rule for rule in rules if "alert" in rule]
    assert {rule["alert"] for rule in alerts} == ALERTS
    for rule in alerts:
        assert rule["for"] and rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
        annotations = rule["annotations"]
        assert annotations["summary"] and annotations["description"], rule["alert"]
        assert "/runbooks/" in annotations["runbook_url"], rule["alert"]
    # the budget is a parameter in one place, not a number repeated in each alert
    assert [r["record"] for r in rules if "record" in r] == ["agentops:budget_usd_per_hour:limit"]


def test_the_dashboard_is_grafana_json_on_a_datasource_variable() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    titles = [panel["title"] for panel in dashboard["panels"]]
    for wanted in ("Alerts posted and firing", "Sweep duration p95", "Warehouse query p95 by kind",
                   "Investigation duration p95 by engine", "LLM fallback rate", "Tokens per hour by kind",
                   "Model cost per hour", "Slack errors", "Slack call p95 by method", "Pending approvals",
                   "Open incidents", "Ingest requests by outcome", "Escalation pages"):
        assert wanted in titles
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(titles)
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
        width = panel["gridPos"]["x"] + panel["gridPos"]["w"]
        assert width <= 24, panel["title"]


def test_the_rules_and_the_dashboard_name_the_bot_s_series() -> None:
    """What they use is checked against a running bot in test_operator_metrics.py; here, that they use some."""
    used = set().union(*map(series_in, rule_exprs() + dashboard_exprs()))
    assert {"agentops_last_successful_sweep_timestamp_seconds", "agentops_slack_socket_connected",
            "agentops_investigation_cost_usd_total", "agentops_claude_fallbacks_total",
            "agentops_sweep_duration_seconds_bucket", "process_start_time_seconds"} <= used
