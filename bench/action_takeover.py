"""How long an approved action stays with a dead replica: SIGKILL the replica running a retrain, time
until another replica holds the action, and until it has verified the run.

Run: .venv/bin/python bench/action_takeover.py [--leases 2,5,15] [--rounds 3]
     .venv/bin/python bench/action_takeover.py --smoke   (one round, lease 2 s; CI runs it so it cannot rot)

Two `agentops run` replicas share one state store (SQLite in a temporary directory) and the warehouse
(`agentops warehouse serve`); the demo ML service and the Slack stand-in run in this process. The
retrain is approved with both up; once its training run's id is in the store, the replica Slack handed
the click to (it runs the action) is killed. Heartbeat = a third of the lease, takeover pass = half of it, so the
takeover should come 0.5 – 1.5 leases after the kill; then the second replica polls the run and
verifies it once it ends. Figures per lease: median and max over rounds.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402

from bench.children import Children  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.store import open_store  # noqa: E402
from seed.ml_service import DemoMLService  # noqa: E402
from seed.slack import SlackStandIn  # noqa: E402

LEAD = "U0LEAD"


def until(check, timeout: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"gave up after {timeout} s")
        time.sleep(0.02)
    return time.monotonic()


def one_round(lease: float, slack: SlackStandIn, children: Children, warehouse: dict[str, str]) -> tuple[float, float]:
    """Seconds from the kill to the takeover, and from the run's end on the service to the verified outcome."""
    with tempfile.TemporaryDirectory() as cwd, DemoMLService(training_sec=3 * lease) as service:
        env = {"PATH": "/usr/bin:/bin", "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token,
               "SLACK_API_URL": slack.api_url, "HEALTH_PORT": "0", "MONITOR_POLL_INTERVAL_SEC": "0",
               "ML_SERVICE_URL": service.url, "AGENTOPS_APPROVERS": LEAD, "LOG_LEVEL": "ERROR",
               "ACTION_LEASE_SEC": str(lease), "ACTION_POLL_INTERVAL_SEC": "0.2", **warehouse}
        by_connection: dict[int, subprocess.Popen] = {}
        try:
            for _ in range(2):  # both up before the click: whichever Slack hands it to is the one killed
                known = set(slack.link.open)
                process = children.spawn([sys.executable, "-m", "bot", "run"], cwd=cwd, env=env)
                until(lambda: set(slack.link.open) - known, 60)  # noqa: B023 - waited on within the loop
                [connection] = set(slack.link.open) - known
                by_connection[connection] = process
            store = open_store(f"sqlite:///{Path(cwd) / '.agentops' / 'agentops.db'}")
            try:
                approval = store.approvals.request(action="retrain_model", target="classifier_v2", reason="drift",
                                                   proposed_by="offline", requested_by="U0ONCALL",
                                                   now=SystemClock().now(), timeout=timedelta(minutes=5))
                posted = WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
                    channel="C0MLALERTS", text="🛂 Approval needed: Retrain classifier_v2")
                store.approvals.record_post(approval.request_id, posted["channel"], posted["ts"], posted["ts"])
                clicked = slack.wait_ack(slack.click("approve_action", approval.request_id, posted["ts"], user=LEAD),
                                         timeout=30)
                get = lambda: store.approvals.get(approval.request_id)  # noqa: E731
                until(lambda: get().action_run_id, 30)
                holder = get().action_claimed_by
                by_connection[clicked.connection].send_signal(signal.SIGKILL)  # type: ignore[index]
                killed = time.monotonic()
                taken = until(lambda: get().action_claimed_by not in (holder, None), 10 * lease)
                until(lambda: get().action_status != "running", 10 * lease + 90)
                done = datetime.now(UTC)
                if get().action_status != "completed" or len(service.calls("POST", "/training/trigger")) != 1:
                    raise SystemExit(f"not completed once: {get()}")
                ended = datetime.fromisoformat(service.registry.status("classifier")[0]["finished_at"])
            finally:
                store.close()
        finally:
            for process in by_connection.values():
                children.stop(process)
        return taken - killed, (done - ended.replace(tzinfo=ended.tzinfo or UTC)).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leases", default="2,5,15", help="ACTION_LEASE_SEC values, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one round with a 2 s lease")
    args = parser.parse_args()
    leases = [2.0] if args.smoke else [float(x) for x in args.leases.split(",")]
    rounds = 1 if args.smoke else args.rounds
    with SlackStandIn() as slack, tempfile.TemporaryDirectory() as shared, Children() as children:
        _, warehouse = children.serve_warehouse(shared, {"PATH": "/usr/bin:/bin"})
        print(f"{'lease s':>8} {'heartbeat s':>12} {'pass s':>7} {'takeover median/max s':>22} "
              f"{'run end → verified median/max s':>32}")
        for lease in leases:
            figures = [one_round(lease, slack, children, warehouse) for _ in range(rounds)]
            taken, done = [f[0] for f in figures], [f[1] for f in figures]
            print(f"{lease:>8.1f} {lease / 3:>12.2f} {lease / 2:>7.2f} "
                  f"{statistics.median(taken):>10.2f} / {max(taken):<9.2f} "
                  f"{statistics.median(done):>20.2f} / {max(done):<9.2f}")


if __name__ == "__main__":
    main()
