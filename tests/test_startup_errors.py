"""`agentops run` misconfigured, as an operator meets it: one line naming the setting and what to do,
an exit code other than 0, no traceback, no retry loop; SIGTERM honoured while it waits for Slack."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

from seed.slack import SlackStandIn
from tests.helpers.processes import start_bot
from tests.helpers.slack_bot import free_port


def refusal(tmp_path: Path, slack: SlackStandIn, **env: str) -> str:
    """The bot's last stderr line, after checking that it exited non-zero, quickly, without a traceback."""
    process = start_bot(tmp_path, slack, **({"HEALTH_PORT": "0"} | env))
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # it never gave up: leave no bot behind
            process.kill()
            process.communicate()
    assert process.returncode not in (0, None), stderr
    assert "Traceback" not in stderr and "Retrying" not in stderr, stderr
    return stderr.strip().splitlines()[-1]


def test_a_wrong_app_token_is_one_line_and_no_retry_loop(tmp_path: Path, slack: SlackStandIn) -> None:
    line = refusal(tmp_path, slack, SLACK_APP_TOKEN="xapp-1-wrong-token")
    assert line == ("agentops: Slack rejected SLACK_APP_TOKEN (invalid_auth); copy the App-Level Token (xapp-…) "
                    "with the connections:write scope from your app's Basic Information page, and enable "
                    "Socket Mode")
    assert [c.method for c in slack.ws.calls].count("apps.connections.open") == 1


def test_sigterm_while_slack_keeps_failing_exits_within_5_seconds(tmp_path: Path, slack: SlackStandIn) -> None:
    slack.fail("apps.connections.open", "internal_error", times=1000)  # Slack down: the socket retry loop
    process = start_bot(tmp_path, slack, HEALTH_PORT="0")
    try:
        slack.wait_for(lambda: [c.method for c in slack.ws.calls].count("apps.connections.open") >= 2, timeout=60)
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert time.monotonic() - started < 5, stderr
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "AgentOps stopped" in stderr


def test_an_unreachable_slack_api_url_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    url = f"http://127.0.0.1:{free_port()}/api/"
    assert refusal(tmp_path, slack, SLACK_API_URL=url) == (
        f"agentops: cannot reach Slack at SLACK_API_URL={url} (connection refused); fix or unset SLACK_API_URL "
        "(unset, the bot talks to slack.com)")


def test_a_busy_health_port_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert refusal(tmp_path, slack, HEALTH_PORT=str(port)) == (
            f"agentops: HEALTH_PORT={port} is in use on 127.0.0.1; set HEALTH_PORT to a free port "
            "(0 picks one, or stop what listens there)")


def test_an_unwritable_data_dir_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    line = refusal(tmp_path, slack, AGENTOPS_DATA_DIR=str(blocked / "data"))
    assert line.startswith(f"agentops: configuration error: AGENTOPS_DATA_DIR={blocked / 'data'} cannot be created "
                           "or written")
    assert line.endswith("set AGENTOPS_DATA_DIR to a directory the bot can write")


def test_an_unwritable_sqlite_path_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    line = refusal(tmp_path, slack, DATABASE_URL=f"sqlite:///{blocked}/state.db")
    assert line.startswith("agentops: state store (sqlite) unavailable: ")
    assert line.endswith(f"{blocked}/state.db cannot be created or written; check DATABASE_URL")


def test_an_alert_channel_that_does_not_exist_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    assert refusal(tmp_path, slack, SLACK_ALERT_CHANNEL="#nope") == (
        "agentops: SLACK_ALERT_CHANNEL=#nope: Slack has no such channel that the bot can see; set "
        "SLACK_ALERT_CHANNEL to an existing channel (e.g. #ml-alerts) and /invite @AgentOps to it")


def test_an_alert_channel_without_the_bot_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    slack.ws.not_member.add("C0DATAALERTS")
    assert refusal(tmp_path, slack, SLACK_ALERT_CHANNEL="#data-alerts") == (
        "agentops: SLACK_ALERT_CHANNEL=#data-alerts: the bot is not a member of it, so it cannot post there; "
        "type /invite @AgentOps in #data-alerts")


def test_a_rules_file_with_warning_above_critical_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("overrides:\n  classifier_v2:\n    model_drift:\n      warning: 0.4\n      critical: 0.3\n")
    assert refusal(tmp_path, slack, AGENTOPS_RULES_FILE=str(rules)) == (
        f"agentops: {rules}:line 3: overrides.classifier_v2.model_drift: warning 0.4 is above critical 0.3; "
        "drift_score alerts above its limits, so warning must be below critical")


def test_an_override_for_a_component_never_measured_is_a_warning_at_start(
        tmp_path: Path, slack: SlackStandIn, caplog) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from bot.runtime import build_deps, close_deps
    from tests.helpers.announcer import MemoryAnnouncer
    from tests.helpers.slack_bot import bot_settings
    from tests.helpers.warehouses import seeded_data_dir

    rules = tmp_path / "rules.yaml"
    rules.write_text("overrides:\n  classifier_v2:\n    model_drift: {critical: 0.4}\n"
                     "  fraud_gbm:\n    model_drift: {critical: 0.4}\n")
    settings = bot_settings(slack, tmp_path / "data", agentops_rules_file=rules)
    seeded_data_dir(settings.agentops_data_dir, "drift", datetime.now(UTC))
    deps = build_deps(settings, MemoryAnnouncer())
    close_deps(deps)
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warned == [f"{rules}:line 4: overrides.fraud_gbm: the warehouse has never measured a model or pipeline "
                      "named 'fraud_gbm'; check the name"]
