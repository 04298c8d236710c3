"""Approval requests on the real bot and the Slack stand-in, with the demo ML service: the drift alert
posted, investigated by the on-call engineer, and clicks on its requests' buttons."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from seed.ml_service import DemoMLService
from seed.slack import SlackStandIn
from seed.slack.workspace import Message
from tests.helpers.slack_bot import RunningBot, bot_running, free_port

CHANNEL = "C0MLALERTS"
REQUESTER, LEAD, VIEWER = "U0ONCALL", "U0LEAD", "U0VIEWER"


@contextmanager
def remediation_bot(slack: SlackStandIn, tmp_path: Path, now, store_url: str,  # type: ignore[no-untyped-def]
                    training_f1: float = 0.915, **overrides: object) -> Iterator[tuple[RunningBot, DemoMLService]]:
    port = free_port()
    settings = dict(database_url=store_url, ml_service_url=f"http://127.0.0.1:{port}",
                    agentops_approvers=f"{LEAD},{REQUESTER}", action_poll_interval_sec=0.05) | overrides
    with bot_running(slack, tmp_path / ".agentops", now, **settings) as bot, \
            DemoMLService(clock=bot.clock, warehouse=bot.deps.warehouse, training_sec=0.3,
                          training_f1=training_f1, port=port) as service:
        yield bot, service


@dataclass(frozen=True)
class Request:
    message: Message  # live: it shows edits as they happen
    id: str  # the request id its buttons carried when it was posted


def approval_requests(bot: RunningBot, count: int = 2) -> tuple[Message, dict[str, Request]]:
    """Post the alert, investigate it as the on-call engineer, and return the approval requests by action
    (once `count` of them are in the thread)."""
    slack = bot.slack
    bot.tick()
    alert_post = slack.messages(CHANNEL)[0]
    slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user=REQUESTER))
    return alert_post, requests_in(bot, alert_post.ts, count)


def requests_in(bot: RunningBot, thread_ts: str, count: int) -> dict[str, Request]:
    """The approval requests with buttons in a thread, by action, once there are `count`."""
    actions = {"Roll": "rollback_model", "Retrain": "retrain_model"}

    def requests() -> dict[str, Message] | None:
        found = {m.text.split(": ")[1].split(" ")[0]: m for m in bot.slack.messages(CHANNEL, thread_ts=thread_ts)
                 if m.text.startswith("🛂 Approval needed")}
        return found if len(found) >= count else None

    found = bot.slack.wait_for(requests, timeout=30)
    return {actions[word]: Request(message, request_id(message)) for word, message in found.items()}


def request_id(message: Message) -> str:
    [actions] = [b for b in message.blocks or [] if b["type"] == "actions"]
    return actions["elements"][0]["value"]


def click(bot: RunningBot, action_id: str, value: str, message: Message, user: str) -> None:
    bot.slack.wait_ack(bot.slack.click(action_id, value, message.ts, user=user))


def told(bot: RunningBot, user: str, count: int) -> str:
    return bot.slack.wait_for(lambda: len(bot.slack.ephemerals(user)) >= count and bot.slack.ephemerals(user))[-1].text


def audit_outcomes(bot: RunningBot, subject: str) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.outcome) for e in reversed(bot.deps.store.audit.entries(subject))]


def drift_incident(bot: RunningBot):  # type: ignore[no-untyped-def]
    return next(i for i in bot.deps.store.incidents.recent() if i.fingerprint == "model_drift:classifier_v2")


def outcome_message(bot: RunningBot, thread_ts: str, title: str) -> Message:
    return bot.slack.wait_for(lambda: next((m for m in bot.slack.messages(CHANNEL, thread_ts=thread_ts)
                                            if m.text.startswith(("✅ ", "⚠️ ")) and title in m.text), None),
                              timeout=30)
