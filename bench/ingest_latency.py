"""Ingest latency: from an alert POSTed to the ingest webhook to its Slack post, over `agentops run`.

Run: .venv/bin/python bench/ingest_latency.py [--alerts 200] [--concurrency 10] [--rounds 3]
     .venv/bin/python bench/ingest_latency.py --smoke   (20 alerts, one round: checks the bench works)

The bot runs as in production, a process of its own on a served embedded warehouse (the monitor's
schedule off, so only ingested alerts post; no auto-investigation), against the Slack stand-in in this
process, which records when each post arrived. Each alert is an Alertmanager notification for a
component of its own (a new post each), sent `--concurrency` at a time. Reported per round and as the
median of the rounds: median and p95 from the request leaving to the post recorded. Goal: p95 < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.ack_latency import base_env, percentile, start_warehouse  # noqa: E402
from bench.children import Children  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402

TOKEN = "bench-ingest-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def notification(component: str) -> dict:
    alert = {"status": "firing", "labels": {"alertname": "ModelDriftHigh", "model": component, "severity": "page"},
             "annotations": {"summary": f"drift on {component}"}, "startsAt": "2026-11-21T11:50:00Z",
             "endsAt": "0001-01-01T00:00:00Z", "fingerprint": component[:16]}
    return {"version": "4", "groupKey": f'{{}}:{{model="{component}"}}', "status": "firing", "receiver": "agentops",
            "alerts": [alert]}


async def send_all(url: str, components: list[str], concurrency: int) -> dict[str, float]:
    """Each component's send time (time.monotonic()); every answer must be 200."""
    sent: dict[str, float] = {}
    gate = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(component: str) -> None:
            async with gate:
                sent[component] = time.monotonic()
                answer = await client.post(url, json=notification(component), headers=headers)
                if answer.status_code != 200:
                    raise SystemExit(f"ingest answered {answer.status_code}: {answer.text[:300]}")

        await asyncio.gather(*(one(c) for c in components))
    return sent


def posted_at(slack: SlackStandIn, components: list[str]) -> dict[str, float] | None:
    """When each component's post arrived, once all have (the post's title ends "— <component>")."""
    found = {}
    with slack.ws.changed:
        for message in slack.ws.messages:
            title = (message.blocks or [{}])[0].get("text", {}).get("text", "")
            found[title.rpartition("— ")[2]] = message.posted_at
    return {c: found[c] for c in components} if all(c in found for c in components) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="20 alerts, one round: checks the bench works")
    args = parser.parse_args()
    if args.smoke:
        args.alerts, args.rounds = 20, 1
    port = free_port()
    url = f"http://127.0.0.1:{port}/ingest/alertmanager"
    rounds: list[tuple[float, float, float]] = []
    with SlackStandIn() as slack, tempfile.TemporaryDirectory() as data_dir, Children() as children:
        env = start_warehouse(children, data_dir) | {
            "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token, "SLACK_API_URL": slack.api_url,
            "HEALTH_PORT": str(port), "HEALTH_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING",
            "MONITOR_POLL_INTERVAL_SEC": "0", "INGEST_TOKEN": TOKEN,
            "AUTO_INVESTIGATE": "off"}  # the goal excludes the investigation
        children.spawn([sys.executable, "-m", "bot", "run"], cwd=data_dir, env=base_env() | env)
        slack.wait_for(lambda: slack.link.open, timeout=60)
        asyncio.run(send_all(url, ["warm_up"], 1))  # first-request costs (imports, connections) are not the subject
        slack.wait_for(lambda: posted_at(slack, ["warm_up"]), timeout=30)
        for r in range(args.rounds):
            components = [f"bench_r{r}_{i:04d}" for i in range(args.alerts)]
            started = time.monotonic()
            sent = asyncio.run(send_all(url, components, args.concurrency))
            seen = slack.wait_for(lambda c=components: posted_at(slack, c), timeout=120)
            latencies = [seen[c] - sent[c] for c in components]
            rounds.append((percentile(latencies, 0.5), percentile(latencies, 0.95), time.monotonic() - started))
            print(f"round {r + 1}: {args.alerts} alerts, {args.concurrency} at a time: median "
                  f"{rounds[-1][0] * 1000:.0f} ms, p95 {rounds[-1][1] * 1000:.0f} ms, max {max(latencies) * 1000:.0f}"
                  f" ms ({rounds[-1][2]:.1f} s in all)")
        posts = len([m for m in slack.ws.messages if m.thread_ts is None])
    p50, p95 = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    print(f"ingest → Slack post over {args.rounds} round(s): median {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
          f"(goal p95 < 2000 ms); {posts} posts for {args.rounds * args.alerts + 1} alerts")
    if posts != args.rounds * args.alerts + 1:
        raise SystemExit("ingest latency: an alert was posted twice or not at all")


if __name__ == "__main__":
    main()
