"""The action policy file: the shipped default, and mistakes named by file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.permissions.governance import earned
from bot.permissions.policy import ActionPolicyError, load_action_policy


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def test_the_shipped_policy_runs_nothing_unclicked_in_production() -> None:
    policy = load_action_policy(None)
    assert policy.environment_of("classifier_v2") == "production"
    assert policy.unattended("production", "rollback_model") is None
    assert policy.unattended("production", "retrain_model") is None
    assert {policy.rule("production", a).approvals for a in ("rollback_model", "retrain_model")} == {1}  # type: ignore[union-attr]
    assert [lv.name for lv in policy.levels] == ["sandbox_only", "staging", "production_low_risk", "full"]


@pytest.mark.parametrize(("text", "said"), [
    ("policies:\n  prod:\n    actions: {}\n", "line 2: policies.prod: 'prod' is not an environment"),
    ("policies:\n  production:\n    actions:\n      delete_model: {}\n",
     "line 4: policies.production.actions: 'delete_model' is not a gated action"),
    ("policies:\n  production:\n    actions:\n      rollback_model: {approvals: 0}\n",
     "line 4: policies.production.actions.rollback_model.approvals must be a number from 1 to 5, got 0"),
    ("policies:\n  production:\n    actions:\n      rollback_model: {approvers: ['@leads']}\n",
     "line 4: policies.production.actions.rollback_model.approvers: @leads is not in slack_groups (known: none)"),
    ("policies:\n  production:\n    actions:\n      rollback_model: {approvers: [bob]}\n",
     "'bob' is neither @group (from slack_groups), a Slack user id (U…) nor a subteam id (S…)"),
    ("policies:\n  production:\n    actions:\n      retrain_model: {risk: low}\n"
     "    unattended:\n      - {action: retrain_model, level: sandbox_only}\n",
     "policies.production.unattended: nothing runs in production without a click unless the policy also says "
     "`unattended_in_production: true`"),
    ("policies:\n  sandbox:\n    actions:\n      retrain_model: {}\n"
     "    unattended:\n      - {action: retrain_model, level: sandbox_only}\n",
     "line 6: policies.sandbox.unattended[0].action: only an action this environment allows with risk: low"),
    ("policies:\n  sandbox:\n    actions:\n      retrain_model: {risk: low}\n"
     "    unattended:\n      - {action: retrain_model, level: wizard}\n",
     "line 6: policies.sandbox.unattended[0].level: 'wizard' is not one of the levels (sandbox_only)"),
    ("levels:\n  - {name: a, max_failure_rate: 2}\npolicies: {}\n",
     "line 2: levels[0].max_failure_rate must be a number from 0 to 1, got 2"),
    ("policies:\n  production:\n    actions:\n      rollback_model:\n        approvers: [U0LEAD, U0ONCALL]\n"
     "        approvals: 3\n",
     "line 6: policies.production.actions.rollback_model: approvals 3 but only 2 approvers listed"),
    ("policy:\n  production: {}\n", "line 1: the policy: unknown key 'policy'"),
    ("environments:\n  models: {m: moon}\npolicies: {}\n",
     "line 2: environments.models.m: 'moon' is not an environment"),
])
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, text: str, said: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ActionPolicyError) as raised:
        load_action_policy(path)
    assert str(path) in str(raised.value) and said in str(raised.value)


def test_a_missing_policy_file_stops_start_up_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ActionPolicyError, match="cannot read"):
        load_action_policy(tmp_path / "nope.yaml")


def test_levels_climb_in_order_on_the_track_record() -> None:
    levels = load_action_policy(None).levels
    assert earned(levels, "sandbox", 0, 0, 0, 0).level == "sandbox_only"
    assert earned(levels, "sandbox", 5, 1, 0, 0).level == "staging"
    assert earned(levels, "sandbox", 5, 2, 0, 0).level == "sandbox_only"  # 2 of 7 failed: above 0.2
    assert earned(levels, "sandbox", 20, 1, 7, 3).level == "staging"  # 70 % 👍 is below production's 80 %
    assert earned(levels, "sandbox", 20, 1, 9, 1).level == "production_low_risk"
    assert earned(levels, "sandbox", 60, 1, 0, 0).level == "full"  # no votes are not held against it


def test_the_group_cache_ttl_is_checked() -> None:
    with pytest.raises(ConfigError, match="USERGROUP_CACHE_TTL_SEC must be from 1 to 86400"):
        load_settings(usergroup_cache_ttl_sec=0)
