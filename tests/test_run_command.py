"""`agentops run` as an operator runs it: a real process, socket mode to the stand-in, SIGTERM to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from seed.slack import SlackStandIn
from tests.helpers.processes import start_bot as start
from tests.helpers.slack_bot import free_port


def test_serves_commands_and_stops_cleanly_on_sigterm(tmp_path: Path, slack: SlackStandIn) -> None:
    port = free_port()
    process = start(tmp_path, slack, HEALTH_PORT=str(port))
    try:
        slack.wait_for(lambda: slack.link.open, timeout=60)
        slack.wait_ack(slack.slash_command("help"), timeout=10)
        assert slack.wait_for(lambda: slack.ephemerals())[0].text.startswith("Usage: /agentops")
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["status"] == "ok"
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert time.monotonic() - started < 15
    assert "AgentOps stopped" in stderr and "Traceback" not in stderr
    assert slack.wait_for(lambda: not slack.link.open, timeout=5)


def test_missing_tokens_are_one_line(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=base, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == ("agentops: configuration error: SLACK_BOT_TOKEN and SLACK_APP_TOKEN are "
                                     "required to run the bot (see README → Slack app; `agentops seed` works "
                                     "without them)")


def test_a_rejected_bot_token_is_one_line(tmp_path: Path, slack: SlackStandIn) -> None:
    process = start(tmp_path, slack, SLACK_BOT_TOKEN="xoxb-revoked-token", HEALTH_PORT="0")
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert stderr.strip().splitlines()[-1] == ("agentops: Slack rejected SLACK_BOT_TOKEN (invalid_auth); copy the "
                                               "Bot User OAuth Token (xoxb-…) again")
    assert "Traceback" not in stderr and "xoxb-revoked-token" not in stderr


def test_sigterm_during_a_burst_answers_every_accepted_request(tmp_path: Path, slack: SlackStandIn) -> None:
    process = start(tmp_path, slack, HEALTH_PORT="0")
    slack.wait_for(lambda: slack.link.open, timeout=60)
    ids = slack.burst([slack.prepare_slash_command("help") for _ in range(50)])
    for envelope_id in ids:
        slack.wait_ack(envelope_id, timeout=10)
    process.send_signal(signal.SIGTERM)  # every request was acked: each must still get its answer
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert len(slack.ephemerals()) == 50
    assert "Task was destroyed" not in stderr and "Traceback" not in stderr
