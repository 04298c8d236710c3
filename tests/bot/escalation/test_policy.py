"""The escalation policy file: the shipped default loads, routes follow severity and environment, and every
mistake stops start-up naming the file, the line and the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.escalation.policy import DEFAULT_POLICY, Mention, PolicyFileError, load_policy
from tests.helpers.paging import ONCALL_GROUP, write_policy


def test_the_shipped_policy_reminds_in_slack_and_emails_after_15_minutes_then_pages_after_30() -> None:
    policy = load_policy(None)
    assert policy.source == str(DEFAULT_POLICY)
    route = policy.route("critical", "classifier_v2")
    assert route is not None
    assert [(s.after, s.channel) for s in route.steps] == [
        (timedelta(minutes=15), "slack"), (timedelta(minutes=15), "email"), (timedelta(minutes=30), "pagerduty")]
    assert policy.route("warning", "classifier_v2") is None


def test_routes_match_severity_and_the_components_environment(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path))
    route = policy.route("critical", "classifier_v2")
    assert route is not None and route.steps[0].mention == (Mention("group", ONCALL_GROUP, "ml-oncall"),)
    assert route.steps[1].to == ("lead@example.com",)
    assert policy.environment_of("sandbox_model") == "sandbox"
    assert policy.route("critical", "sandbox_model") is None  # only production pages here


@pytest.mark.parametrize(("text", "error"), [
    ("routes: [{severity: critical, steps: [{after: 5m, channel: sms}]}]",
     r"escalation.yaml:line 1: routes\[0\].steps\[0\].channel: 'sms' is not one of slack, email, webhook, pagerduty"),
    ("routes:\n  - severity: critical\n    steps:\n      - after: 15\n        channel: email\n",
     r"escalation.yaml:line 4: routes\[0\].steps\[0\].after: a duration needs a unit: 15m, 15h or 15d\?"),
    ("routes:\n  - severity: urgent\n    steps: [{channel: slack}]\n",
     r"escalation.yaml:line 2: routes\[0\].severity: 'urgent' is not one of info, warning, critical"),
    ("routes:\n  - severity: critical\n    steps:\n      - channel: slack\n        mention: ['@ml-oncall']\n",
     r"escalation.yaml:line 5: routes\[0\].steps\[0\].mention: @ml-oncall is not in slack_groups \(known: none\)"),
    ("slack_groups:\n  ml-oncall: oncall-team\n",
     r"escalation.yaml:line 2: slack_groups.ml-oncall: expected a group name and its subteam id"),
    ("routes:\n  - severity: critical\n    steps:\n      - {after: 30m, channel: slack}\n      - {after: 15m, channel: "
     "email}\n", r"escalation.yaml:line 5: routes\[0\].steps\[1\].after: steps run in order, so 15 minutes cannot "
                 r"follow 30 minutes"),
    ("routes:\n  - severity: critical\n    steps:\n      - {channel: email, to: [not-an-address]}\n",
     r"escalation.yaml:line 4: routes\[0\].steps\[0\].to: 'not-an-address' is not an email address"),
    ("routes:\n  - severity: critical\n    steps:\n      - {channel: email, mention: [U0ONCALL]}\n",
     r"escalation.yaml:line 4: routes\[0\].steps\[0\].mention: only a slack step mentions people"),
    ("routes:\n  - severity: critical\n    steps:\n      - {channel: slack, wait: 5m}\n",
     r"escalation.yaml:line 4: routes\[0\].steps\[0\]: unknown key 'wait' \(expected after, channel, mention, to\)"),
    ("escalations: []\n", r"escalation.yaml:line 1: the policy: unknown key 'escalations'"),
    ("routes: {critical: now}\n", r"escalation.yaml:line 1: routes must be a list of routes"),
    ("routes:\n  - severity: critical\n", r"escalation.yaml:line 2: routes\[0\]: a route needs severity and steps"),
    ("routes: [\n", r"escalation.yaml:line 2: not valid YAML"),
])
def test_a_mistake_names_the_file_line_and_key(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(PolicyFileError, match=error):
        load_policy(write_policy(tmp_path, text))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match=r"nope.yaml: cannot read \(No such file or directory\)"):
        load_policy(tmp_path / "nope.yaml")


def test_a_bad_policy_stops_the_bot_before_anything_opens(tmp_path: Path) -> None:
    from bot.config import load_settings
    from bot.runtime import build_bot

    bad = write_policy(tmp_path, "routes: [{severity: critical, steps: [{channel: pager}]}]")
    with pytest.raises(PolicyFileError, match="'pager' is not one of"):
        build_bot(load_settings(agentops_data_dir=tmp_path / ".agentops", escalation_policy_file=bad))
