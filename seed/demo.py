"""`agentops demo`: the whole story on embedded defaults, with no tokens and no network.

It seeds the drift scenario into a fresh embedded warehouse, starts the Slack stand-in, a GitHub
stand-in and the demo ML service on loopback, and runs the real bot against them. Then it plays
the on-call engineer: waits for the scheduled alert, clicks Investigate, approves the rollback and
the retrain as a listed approver, and waits until the monitor sees the recovery. The channel is
printed as it changes. Exit 0 only when every step really happened.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock, naive_utc
from bot.config import load_settings
from bot.deps import Deps
from bot.remediation.incident_text import duration
from bot.runtime import BotThread, build_bot, close_deps
from seed.github import GitHubStandIn
from seed.loader import seed
from seed.ml_service import DemoMLService
from seed.slack import SlackStandIn
from seed.slack.workspace import Message

CHANNEL, ONCALL, APPROVER = "C0MLALERTS", "U0ONCALL", "U0LEAD"
DEADLINE_SEC = 110  # the story must finish well inside two minutes


class StoryFailed(Exception):
    pass


class Transcript:
    """Prints each new message and each edit of the channel once, threads indented; a thread's status
    line (progress, which is not a message) as one line marked ⋯ each time it changes."""

    def __init__(self, slack: SlackStandIn, out: TextIO) -> None:
        self.slack, self.out = slack, out
        self._seen: dict[str, int] = {}
        self._statuses = 0
        self._started = time.monotonic()

    def flush(self) -> None:
        with self.slack.ws.changed:
            messages = [m for m in self.slack.ws.messages if m.channel == CHANNEL]
            # in the order they changed: a post edited after its thread's replies prints after them
            changed = sorted((m for m in messages if self._seen.get(m.ts) != m.edits), key=lambda m: m.changed_at)
            fresh = [(m, m.edits, m.readable()) for m in changed]
            for m, edits, _ in fresh:
                self._seen[m.ts] = edits
            statuses = [s for c, _, s in self.slack.ws.status_log[self._statuses:] if c == CHANNEL and s]
            self._statuses = len(self.slack.ws.status_log)
        for status in statuses:
            print(f"[{time.monotonic() - self._started:5.1f}s]     ⋯ AgentOps {status}", file=self.out)
        for message, edits, text in fresh:
            clock = f"[{time.monotonic() - self._started:5.1f}s]"
            prefix = "    ↳ " if message.thread_ts else ""
            label = " (edited)" if edits else ""
            first, *rest = [*text.splitlines(), *(f"📎 {file['title']}" for file in message.files)] or [""]
            pad = " " * (len(clock) + 1 + len(prefix)) + "  "
            print(f"{clock} {prefix}AgentOps{label}: {first}", file=self.out)
            for line in rest:
                print(f"{pad}{line}", file=self.out)
        self.out.flush()

    def narrate(self, line: str) -> None:
        self.flush()
        print(f"\n▶ {line}", file=self.out, flush=True)


class Story:
    def __init__(self, deps: Deps, slack: SlackStandIn, transcript: Transcript, deadline: float) -> None:
        self.deps, self.slack, self.transcript, self.deadline = deps, slack, transcript, deadline

    def wait(self, what: str, predicate: Callable[[], object]):  # type: ignore[no-untyped-def]
        while True:
            self.transcript.flush()
            found = predicate()
            if found:
                return found
            if time.monotonic() > self.deadline:
                raise StoryFailed(f"gave up waiting for {what}")
            time.sleep(0.2)

    def thread(self, ts: str) -> list[Message]:
        return self.slack.messages(CHANNEL, thread_ts=ts)

    def find(self, ts: str, starts: str) -> Message | None:
        return next((m for m in self.thread(ts) if m.text.startswith(starts)), None)

    def click(self, action_id: str, value: str, message: Message, user: str) -> None:
        self.slack.wait_ack(self.slack.click(action_id, value, message.ts, user=user))

    def approve(self, alert_ts: str, title: str) -> str:
        request = self.wait(f"the approval request to {title}",
                            lambda: self.find(alert_ts, f"🛂 Approval needed: {title}"))
        [actions] = [b for b in request.blocks or [] if b["type"] == "actions"]
        self.transcript.narrate(f"<@{APPROVER}> (a listed approver) clicks Approve: {title}")
        self.click("approve_action", actions["elements"][0]["value"], request, APPROVER)
        outcome = self.wait(f"the verified outcome of {title}",
                            lambda: next((m for m in self.thread(alert_ts)
                                          if m.text.startswith(("✅ ", "⚠️ ")) and title in m.text), None))
        if not outcome.text.startswith("✅"):
            raise StoryFailed(f"{title} did not complete: {outcome.text}")
        return outcome.text

    def play(self) -> str:
        """Returns the alert's fingerprint once the whole story happened."""
        self.transcript.narrate("the monitor's schedule sweeps the warehouse every 2 s")
        alert = self.wait("the alert post", lambda: next(iter(self.slack.messages(CHANNEL)), None))
        self.transcript.narrate(f"<@{ONCALL}> clicks Investigate on model_drift:classifier_v2")
        self.click("investigate_alert", "model_drift:classifier_v2", alert, ONCALL)
        self.wait("the diagnosis", lambda: self.find(alert.ts, "Diagnosis for"))
        self.approve(alert.ts, "Roll back classifier_v2")
        self.approve(alert.ts, "Retrain classifier_v2")
        self.transcript.narrate("the retrained model's first measurement is in the warehouse; the next sweep")
        self.wait("the resolved alert", lambda: self.find(alert.ts, "✅ Resolved"))
        self.wait("the incident summary", lambda: self.find(alert.ts, "📋 "))
        return "model_drift:classifier_v2"


def summary(deps: Deps, github: GitHubStandIn, fingerprint: str) -> list[str]:
    [incident] = [i for i in deps.store.incidents.recent(20) if i.fingerprint == fingerprint]
    rows = deps.warehouse.query("SELECT status, duration_minutes FROM INCIDENTS WHERE incident_id = %(id)s",
                                {"id": incident.incident_id})
    issue = github.issues.get(incident.github_issue or 0)
    lines = [f"{incident.incident_id}: {incident.alert_type} on {incident.component} — {incident.status}",
             f"  MTTD {duration(incident.time_to_detect_sec)} (from the first breaching measurement, which the "
             "seed placed before the demo began)",
             f"  time to diagnosis {duration(incident.time_to_diagnose_sec)}, time to act "
             f"{duration(incident.time_to_act_sec)} (both from the alert)",
             "  actions: " + "; ".join(f"{a['action']} {a['status']}" for a in incident.actions),
             f"  root cause: {incident.root_cause}",
             f"  GitHub issue #{incident.github_issue}: {issue.state if issue else 'missing'}, "
             f"{len(issue.comments) if issue else 0} comments",
             f"  INCIDENTS row in the warehouse: {'yes' if rows else 'no'}"]
    if incident.status != "resolved" or not rows or not issue or issue.state != "closed":
        raise StoryFailed("the incident was not fully recorded:\n" + "\n".join(lines))
    return lines


def run_demo(out: TextIO = sys.stdout, keep: bool = False) -> int:
    started = time.monotonic()
    # the transcript is the output; the bot's own log lines only when something goes wrong
    for name in ("agentops", "apscheduler", "slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="agentops-demo-"))
    print(f"AgentOps demo: every part runs here on loopback (state and warehouse in {workdir})", file=out)
    with SlackStandIn() as slack, GitHubStandIn() as github, DemoMLService(training_sec=3.0) as service:
        settings = load_settings(
            agentops_data_dir=workdir, database_url="", snowflake_account="", snowflake_host="",
            slack_bot_token=slack.bot_token, slack_app_token=slack.app_token, slack_api_url=slack.api_url,
            slack_alert_channel=CHANNEL, ml_service_url=service.url, github_token=github.token,
            github_repo=github.repo, github_api_url=github.api_url, github_web_url=github.url,
            agentops_approvers=APPROVER,
            agentops_four_eyes=True, monitor_poll_interval_sec=2, action_poll_interval_sec=0.5, health_port=0)
        bot = build_bot(settings)
        deps = bot.deps
        thread: BotThread | None = None
        try:
            summary_seed = seed(deps.warehouse, "drift", naive_utc(SystemClock().now()), reset=True)
            print("\n".join(summary_seed.lines()), file=out)
            service.warehouse = deps.warehouse  # the promoted model's measurements land where the monitor reads
            thread = BotThread(bot)
            thread.start()
            transcript = Transcript(slack, out)
            fingerprint = Story(deps, slack, transcript, started + DEADLINE_SEC).play()
            transcript.flush()
            lines = summary(deps, github, fingerprint)
        except StoryFailed as error:
            print(f"\nagentops demo: the story did not complete: {error}", file=out, flush=True)
            return 1
        finally:
            if thread is not None:
                thread.stop()
            close_deps(deps)
            if not keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print("\nSummary\n" + "\n".join(lines), file=out)
    print(f"\nThe whole story took {time.monotonic() - started:.0f} s.", file=out, flush=True)
    return 0

