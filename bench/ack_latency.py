"""Ack latency under a burst: 200 concurrent slash commands and 200 button clicks.

Run: .venv/bin/python bench/ack_latency.py [--rounds 3] [--burst 200]
     .venv/bin/python bench/ack_latency.py --smoke   (one small round; CI runs it so the bench cannot rot)

The Slack stand-in runs in this process and timestamps each socket-mode envelope out and its
ack back. As in production, the bot runs in a process of its own (`agentops run`) and so does
the warehouse (`agentops warehouse serve`); in alternating rounds the same burst goes to a bare
AsyncApp that only acks (bench/bare_app.py). Goal: AgentOps p99 < 150 ms and AgentOps/bare p99
ratio ≤ 1.2. Figures are medians over rounds.
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

from slack_sdk import WebClient  # noqa: E402

from bench.children import Children, seed_remote  # noqa: E402
from handlers.actions.ids import INVESTIGATE_ALERT  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402

SUBCOMMANDS = ["help", "alerts", "status", "garbage"]


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {"PYTHONPATH": str(ROOT)}


def start_warehouse(children: Children, data_dir: str) -> dict[str, str]:
    _, env = children.serve_warehouse(data_dir, base_env())
    seed_remote(env, "drift")
    return env


def run_app(children: Children, command: list[str], env: dict[str, str], cwd: str,
            slack: SlackStandIn) -> subprocess.Popen:
    process = children.spawn(command, cwd=cwd, env=base_env() | env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    slack.wait_for(lambda: slack.link.open, timeout=60)
    return process


def stop_app(process: subprocess.Popen, slack: SlackStandIn) -> None:
    if Children.stop(process) != 0:
        raise SystemExit(f"{process.args} exited with {process.returncode}")
    slack.wait_for(lambda: not slack.link.open, timeout=10)


def burst(slack: SlackStandIn, size: int, message_ts: str) -> list[float]:
    prepared = [slack.prepare_slash_command(SUBCOMMANDS[i % len(SUBCOMMANDS)]) for i in range(size)]
    prepared += [slack.prepare_click(INVESTIGATE_ALERT, "model_drift:classifier_v2", message_ts) for _ in range(size)]
    ids = slack.burst(prepared)
    return [slack.wait_ack(envelope_id, timeout=30).ack_latency * 1000 for envelope_id in ids]  # type: ignore[operator]


def warm_up(slack: SlackStandIn, message_ts: str, replies: bool) -> None:
    """First requests open connections (Slack, the warehouse login); let that finish before measuring.

    Each of the 10 slash commands is answered privately; the 10 clicks start (one) investigation in
    the alert's thread, so only the commands' answers are waited for."""
    before = len(slack.ephemerals())
    burst(slack, 10, message_ts)
    if replies:
        slack.wait_for(lambda: len(slack.ephemerals()) >= before + 10, timeout=60)
    time.sleep(0.5)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="one round of 10 + 10: checks the bench still works")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.burst = 1, 10
    # This process is the measuring instrument: its link thread must read each ack as it arrives,
    # not wait up to 5 ms (Python's default) for the GIL while the Web API thread validates replies.
    sys.setswitchinterval(0.0002)
    apps = {"bare": [sys.executable, str(ROOT / "bench" / "bare_app.py")],
            "agentops": [sys.executable, "-m", "bot", "run"]}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
    with SlackStandIn() as slack, tempfile.TemporaryDirectory() as data_dir, Children() as children:
        warehouse_env = start_warehouse(children, data_dir)
        env = warehouse_env | {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token,
                               "SLACK_API_URL": slack.api_url, "HEALTH_PORT": "0", "LOG_LEVEL": "WARNING"}
        message_ts = WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
            channel="#ml-alerts", text="an alert to click on")["ts"]
        for _ in range(args.rounds):
            for name, command in apps.items():
                process = run_app(children, command, env, data_dir, slack)
                warm_up(slack, message_ts, replies=name == "agentops")
                latencies = burst(slack, args.burst, message_ts)
                results[name].append((percentile(latencies, 0.5), percentile(latencies, 0.99)))
                stop_app(process, slack)
    for name, rounds in results.items():
        p50 = statistics.median(r[0] for r in rounds)
        p99 = statistics.median(r[1] for r in rounds)
        print(f"{name:9s} {2 * args.burst} acks/round × {args.rounds} rounds: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    ratio = statistics.median(r[1] for r in results["agentops"]) / statistics.median(r[1] for r in results["bare"])
    print(f"AgentOps/bare p99 ratio: {ratio:.2f} (goal ≤ 1.2; goal p99 < 150 ms)")


if __name__ == "__main__":
    main()
