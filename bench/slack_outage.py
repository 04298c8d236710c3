"""How late a new alert is when Slack is down as it appears: a window of 429s (Retry-After 2) or of
500s on posts and channel reads, with the monitor on its default 30 s sweep.

Run: .venv/bin/python bench/slack_outage.py [--window 20] [--rounds 3]
     .venv/bin/python bench/slack_outage.py --smoke   (a 2 s window, one round; CI runs it)

The bot (`agentops run`) and the warehouse (`agentops warehouse serve`) run as processes of their own;
the Slack stand-in runs here. The outage starts before the bot's first sweep; the figure is the time
from the outage's start to the alert post, and how much of it came after Slack recovered. Goal: at
most a few seconds after the window, and exactly one post.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.children import Children, seed_remote  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402

OUTAGE_METHODS = ("chat.postMessage", "conversations.history", "conversations.list")


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {"PYTHONPATH": str(ROOT)}


def one_round(status: int, window: float) -> float:
    """Seconds from the outage's start to the alert post."""
    with tempfile.TemporaryDirectory() as cwd, Children() as children, SlackStandIn() as slack:
        _, warehouse = children.serve_warehouse(cwd, base_env())
        seed_remote(warehouse, "drift")
        slack.faults.window(window, status, retry_after=2 if status == 429 else None, methods=OUTAGE_METHODS)
        began = time.monotonic()
        env = base_env() | warehouse | {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token,
                                        "SLACK_API_URL": slack.api_url, "HEALTH_PORT": "0", "LOG_LEVEL": "ERROR"}
        bot = children.spawn([sys.executable, "-m", "bot", "run"], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        slack.wait_for(lambda: slack.messages("C0MLALERTS"), timeout=window + 90)
        late = time.monotonic() - began
        time.sleep(1)
        posts = len(slack.messages("C0MLALERTS"))
        if posts != 1:
            raise SystemExit(f"{posts} alert posts after a {status} window")
        Children.stop(bot)
        return late


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    window, rounds = (2.0, 1) if args.smoke else (args.window, args.rounds)
    for status in (429, 500):
        lateness = [one_round(status, window) for _ in range(rounds)]
        median = statistics.median(lateness)
        print(f"Slack {status} for {window:.0f} s: alert posted {median:.1f} s after the outage began "
              f"({median - window:+.1f} s after it ended; median of {rounds}, max {max(lateness):.1f} s)")


if __name__ == "__main__":
    main()
