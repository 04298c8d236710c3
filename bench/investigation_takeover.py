"""How long a killed replica's investigation waits before another replica resumes it.

Run: .venv/bin/python bench/investigation_takeover.py [--rounds 5] [--lease 4]
     .venv/bin/python bench/investigation_takeover.py --smoke   (one round; CI runs it so the bench cannot rot)

Each round: two `agentops run` replicas on a fresh PostgreSQL schema (AGENTOPS_BENCH_POSTGRES_URL,
default the test server), the shared embedded warehouse with the drift scenario, AUTO_INVESTIGATE=all
and a scripted Claude that hangs on the round's first request. Once the auto-investigation is waiting
for Claude, the replica holding its lease is SIGKILLed; measured from the kill: until the other
replica took the claim over, and until its diagnosis is in the thread. Bound: the lease plus one
heartbeat (a third of the lease).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.children import Children, seed_remote  # noqa: E402
from bot.store import open_store  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402
from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced  # noqa: E402

POSTGRES_URL = os.environ.get("AGENTOPS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def wait_for(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)
    return found


def one_round(children: Children, slack: SlackStandIn, api: ScriptedMessagesAPI, env: dict[str, str],
              cwd: str, lease: float) -> tuple[float, float]:
    admin = psycopg.connect(POSTGRES_URL, connect_timeout=3, autocommit=True)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"
    store = open_store(url)
    try:
        asked = len(api.headers)
        api.hang_next()
        replicas = [children.spawn([sys.executable, "-m", "bot", "run"], cwd=cwd, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env | {"DATABASE_URL": url}) for _ in range(2)]
        wait_for(lambda: len(api.headers) > asked, 120, "the auto-investigation to ask Claude")
        # the hung one is the one still running once any other post's investigation has finished
        running = wait_for(lambda: _only_running(store), 60, "one investigation left running")
        holder = next(p for p in replicas if p.pid == int((running.lease_owner or "::").split(":")[1]))
        holder.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        holder.wait()
        wait_for(lambda: getattr(store.investigations.get(running.investigation_id), "attempts", 1) >= 2,
                 10 * lease, "the takeover")
        resumed = time.monotonic() - killed
        wait_for(lambda: getattr(store.investigations.get(running.investigation_id), "status", "") == "done",
                 10 * lease, "the diagnosis")
        diagnosed = time.monotonic() - killed
        for process in replicas:
            Children.stop(process)
        return resumed, diagnosed
    finally:
        store.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def _only_running(store):  # type: ignore[no-untyped-def]
    running = [i for i in store.investigations.recent() if i.status == "running"]
    return running[0] if len(running) == 1 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lease", type=float, default=4.0)
    parser.add_argument("--smoke", action="store_true", help="one round with a 3 s lease: checks the bench works")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.lease = 1, 3.0  # not shorter: on a loaded machine a 2 s lease lapses for live replicas too
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        reason = f"no PostgreSQL at {POSTGRES_URL} ({str(error).strip().splitlines()[0]})"
        if os.environ.get("CI") == "true":
            raise SystemExit(f"{reason}: CI requires it") from None
        print(f"skipped: {reason}; set AGENTOPS_BENCH_POSTGRES_URL")
        return
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    results = []
    with SlackStandIn() as slack, ScriptedMessagesAPI(final_when_forced([])) as api, \
            tempfile.TemporaryDirectory() as cwd, Children() as children:
        _, warehouse = children.serve_warehouse(cwd, base)
        seed_remote(warehouse, "drift")
        env = base | warehouse | {
            "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token, "SLACK_API_URL": slack.api_url,
            "HEALTH_PORT": "0", "LOG_LEVEL": "ERROR", "MONITOR_POLL_INTERVAL_SEC": "0.5", "AUTO_INVESTIGATE": "all",
            "INVESTIGATION_LEASE_SEC": str(args.lease), "ANTHROPIC_API_KEY": "sk-ant-bench",
            "ANTHROPIC_BASE_URL": api.base_url}
        for _ in range(args.rounds):
            results.append(one_round(children, slack, api, env, cwd, args.lease))
    resumed, diagnosed = [r[0] for r in results], [r[1] for r in results]
    print(f"lease {args.lease:g} s, heartbeat {args.lease / 3:.2f} s, {args.rounds} SIGKILL(s) mid-investigation")
    print(f"taken over after the kill: median {statistics.median(resumed):.2f} s, max {max(resumed):.2f} s "
          f"(bound: lease + heartbeat = {args.lease * 4 / 3:.2f} s)")
    print(f"diagnosis stored after the kill: median {statistics.median(diagnosed):.2f} s, max {max(diagnosed):.2f} s")


if __name__ == "__main__":
    main()
