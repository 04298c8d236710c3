"""AgentOps as separate processes, as an operator runs it: the CLI, the bot, the shared embedded warehouse."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.children import Children
from seed.slack import SlackStandIn

stop = Children.stop  # SIGTERM, then SIGKILL if it does not go in time; a no-op for one that already ended


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}


def agentops(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`agentops ARGS` to completion, with only the given settings in its environment."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=cwd, env=base_env() | env, timeout=180)


def start_bot(tmp_path: Path, slack: SlackStandIn, **env: str) -> subprocess.Popen:
    """`agentops run` against the Slack stand-in, in the background."""
    settings = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token,
                "SLACK_API_URL": slack.api_url, "HEALTH_HOST": "127.0.0.1"}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=base_env() | settings | env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextmanager
def shared_warehouse(cwd: Path) -> Iterator[dict[str, str]]:
    """`agentops warehouse serve`; yields the SNOWFLAKE_* settings that point other processes at it."""
    server = subprocess.Popen([sys.executable, "-m", "bot", "warehouse", "serve"], cwd=cwd,
                              stdout=subprocess.PIPE, text=True, env=base_env())
    try:
        line = server.stdout.readline() if server.stdout else ""
        found = re.search(r"serving on 127\.0\.0\.1:(\d+)", line)
        assert found, f"the warehouse did not start: {line!r}"
        yield served_at(int(found.group(1)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def seed_served(snowflake_env: dict[str, str], scenario: str) -> None:
    """Seed the warehouse a `shared_warehouse` serves, from the test process (what `agentops seed
    --remote` does, whose own test is in test_cli.py), sparing a process start."""
    from datetime import UTC, datetime

    from bot.clock import naive_utc
    from bot.config import load_settings
    from bot.warehouse import open_warehouse
    from seed.loader import seed

    with open_warehouse(load_settings(**{k.lower(): v for k, v in snowflake_env.items()})) as warehouse:
        seed(warehouse, scenario, naive_utc(datetime.now(UTC)), reset=True)


def serve_warehouse_on(cwd: Path, port: int) -> subprocess.Popen:
    """`agentops warehouse serve --port PORT` (its data under cwd), returned once it serves: for tests
    that stop it and start it again at the same address, as an outage would. Stop it with `stop`."""
    server = subprocess.Popen([sys.executable, "-m", "bot", "warehouse", "serve", "--port", str(port)], cwd=cwd,
                              stdout=subprocess.PIPE, text=True, env=base_env())
    line = server.stdout.readline() if server.stdout else ""
    if f"serving on 127.0.0.1:{port}" not in line:
        stop(server)
        raise AssertionError(f"the warehouse did not start on port {port}: {line!r}")
    return server


def served_at(port: int) -> dict[str, str]:
    """The SNOWFLAKE_* settings that point a process at `serve_warehouse_on(…, port)`."""
    return {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "agentops", "SNOWFLAKE_PASSWORD": "embedded",
            "SNOWFLAKE_HOST": "127.0.0.1", "SNOWFLAKE_PORT": str(port), "SNOWFLAKE_PROTOCOL": "http"}

