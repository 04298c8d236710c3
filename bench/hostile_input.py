"""Hostile input at volume: fuzzed slash commands, clicks and events against `agentops run`.

Run: .venv/bin/python bench/hostile_input.py [--slash 10000] [--payloads 1200] [--seed 7]
     .venv/bin/python bench/hostile_input.py --smoke   (a small run; CI runs it so the bench cannot rot)

The bot runs as in production, a process of its own on a served embedded warehouse (drift
scenario), against the Slack stand-in in this process. Envelopes (seed/slack/fuzz.py: the hostile
corpus in every field, malformed payloads, unknown buttons and payload types) go out in bursts of
100. Reported: acks within Slack's 3 s, the slowest ack, senders with a response_url left without
an answer, and tracebacks in the bot's log. Goal: every envelope acked ≤ 3 s, 0 unanswered,
0 tracebacks.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bench.ack_latency import base_env, percentile, start_warehouse  # noqa: E402
from bench.children import Children  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402
from seed.slack.fuzz import probes  # noqa: E402

BURST = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slash", type=int, default=10_000)
    parser.add_argument("--payloads", type=int, default=1_200, help="clicks and events (3 clicks : 1 event)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="100 commands + 40 payloads: checks the bench works")
    args = parser.parse_args()
    if args.smoke:
        args.slash, args.payloads = 100, 40
    with SlackStandIn() as slack, tempfile.TemporaryDirectory() as data_dir, Children() as children:
        env = start_warehouse(children, data_dir) | {
            "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token, "SLACK_API_URL": slack.api_url,
            "HEALTH_PORT": "0", "LOG_LEVEL": "WARNING", "MONITOR_POLL_INTERVAL_SEC": "0"}
        log_path = Path(data_dir) / "bot.log"
        with log_path.open("w") as log:
            children.spawn([sys.executable, "-m", "bot", "run"], cwd=data_dir, env=base_env() | env,
                           stdout=subprocess.DEVNULL, stderr=log)
            slack.wait_for(lambda: slack.link.open, timeout=60)
            message_ts = WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
                channel="#ml-alerts", text="a message to click on")["ts"]
            made = probes(slack, args.seed, slash=args.slash, clicks=args.payloads * 3 // 4,
                          events=args.payloads - args.payloads * 3 // 4, message_ts=message_ts)
            started = time.monotonic()
            ids: list[str] = []
            for start in range(0, len(made), BURST):
                burst_ids = slack.burst([(p.kind, p.payload) for p in made[start:start + BURST]])
                try:
                    for envelope_id in burst_ids:  # a burst is acked before the next one goes out
                        slack.wait_ack(envelope_id, timeout=30)
                except TimeoutError:
                    envelope = slack.ws.envelopes[envelope_id]
                    raise SystemExit(f"an envelope went unacked: {envelope!r:.800}") from None
                ids += burst_ids
            owed = {p.token for p in made if p.token and not p.in_thread}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not owed <= set(slack.answered):
                time.sleep(0.2)
            elapsed = time.monotonic() - started
        latencies = [slack.ws.envelopes[i].ack_latency or 0.0 for i in ids]
        unanswered = len(owed - set(slack.answered))
        tracebacks = log_path.read_text().count("Traceback (most recent call last)")
        invalid = len(slack.ws.invalid_blocks)
    within = sum(latency <= 3.0 for latency in latencies)
    print(f"{len(made)} envelopes ({args.slash} slash commands, {args.payloads} clicks and events) in {elapsed:.0f} s")
    print(f"acked within 3 s: {within}/{len(latencies)} · p99 ack {percentile(latencies, 0.99) * 1000:.0f} ms · "
          f"slowest {max(latencies) * 1000:.0f} ms")
    print(f"unanswered senders: {unanswered}/{len(owed)} · tracebacks in the bot's log: {tracebacks} · "
          f"invalid Block Kit sent: {invalid}")
    for probe in [p for p in made if p.token in owed - set(slack.answered)][:5]:
        print(f"  unanswered: {probe.kind} {str(probe.payload.get('text') or probe.payload.get('actions'))[:200]!r}")
    if within < len(latencies) or unanswered or tracebacks or invalid:
        raise SystemExit("hostile input: goal missed (see above)")


if __name__ == "__main__":
    main()
