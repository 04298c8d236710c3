"""Memory of an idle `agentops run` against a remote warehouse, and which heavy libraries it loaded.

Run: .venv/bin/python bench/idle_rss.py [--runs 3] [--idle 20] [--bot-python /path/to/venv/bin/python]
     .venv/bin/python bench/idle_rss.py --smoke   (one short run; CI runs it so the bench cannot rot)

As in production, the warehouse is another process (`agentops warehouse serve`, the embedded one
served over the Snowflake protocol) and Slack is the stand-in. The bot connects, sweeps once, then
idles; its resident memory (VmRSS) is read from /proc, and its memory map says whether the embedded
warehouse's libraries (duckdb, pyarrow) were loaded. Our code never imports them for a remote
warehouse; the Snowflake connector loads pyarrow whenever it is installed, which it is here because
the embedded extra brings it. --bot-python runs the bot from another environment, e.g. a
production install of the wheel without the embedded extra (with snowflake-connector-python<5
in it: the embedded server speaks the 4.x connector's login). Goal: < 150 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.children import Children, seed_remote  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402

HEAVY = ("duckdb", "pyarrow", "fakesnow", "matplotlib")


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")} | {"PYTHONPATH": str(ROOT)}


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024  # type: ignore[union-attr]


def loaded(pid: int) -> list[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [name for name in HEAVY if f"/{name}" in maps]


def one_run(children: Children, slack: SlackStandIn, data_dir: str, idle_sec: float,
            bot_python: str | None) -> tuple[float, list[str]]:
    warehouse, remote = children.serve_warehouse(data_dir, base_env())
    seed_remote(remote, "healthy")
    health = free_port()
    # another environment runs its own installed agentops, not this source tree
    env = base_env() if bot_python is None else {k: v for k, v in base_env().items() if k != "PYTHONPATH"}
    log = Path(data_dir) / "bot.log"
    bot = children.spawn([bot_python or sys.executable, "-m", "bot", "run"], cwd=data_dir,
                         stdout=subprocess.DEVNULL, stderr=log.open("w"),
                         env=env | remote | {"SLACK_BOT_TOKEN": slack.bot_token,
                                                    "SLACK_APP_TOKEN": slack.app_token,
                                                    "SLACK_API_URL": slack.api_url, "HEALTH_PORT": str(health),
                                                    "HEALTH_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"})
    deadline = time.monotonic() + 60
    while True:  # connected and one sweep done
        try:
            metrics = httpx.get(f"http://127.0.0.1:{health}/metrics", timeout=2).text
            if re.search(r'^agentops_sweeps_total\{outcome="ok"\} [1-9]', metrics, re.M):
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or bot.poll() is not None:
            raise SystemExit(f"the bot did not connect and sweep within 60 s; its log:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    time.sleep(idle_sec)
    result = rss_mb(bot.pid), loaded(bot.pid)
    Children.stop(bot)
    Children.stop(warehouse)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=20, help="seconds idle before reading memory")
    parser.add_argument("--bot-python", help="run the bot with this interpreter (its environment's agentops)")
    parser.add_argument("--smoke", action="store_true", help="one short run: checks the bench still works")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.idle = 1, 1
    results = []
    with SlackStandIn() as slack, Children() as children:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as data_dir:
                results.append(one_run(children, slack, data_dir, args.idle, args.bot_python))
    sizes = [r[0] for r in results]
    heavy = sorted({name for r in results for name in r[1]})
    where = f"agentops from {args.bot_python}" if args.bot_python else "agentops run"
    print(f"{where}, idle {args.idle:.0f} s after its first sweep, remote warehouse: RSS median "
          f"{statistics.median(sizes):.0f} MB  min {min(sizes):.0f}  max {max(sizes):.0f}  ({args.runs} runs; "
          f"goal < 150 MB)")
    print(f"heavy libraries loaded: {', '.join(heavy) or 'none'} (of {', '.join(HEAVY)})")


if __name__ == "__main__":
    main()
