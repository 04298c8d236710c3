"""A button click as far as its payload can be read: a malformed one never raises in a listener.

Slack's block_actions payload nests what a listener needs (who, which button, which message, where
to answer) several levels deep; a forged or truncated payload may miss any of it. Every field here
is a bounded string, empty when it could not be read, so the listener can still audit the click
and answer the clicker wherever an answer is possible.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_VALUE = 2000  # Slack's own limit on a button's value


def _text(value: object, limit: int = 100) -> str:
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Click:
    user: str
    action_id: str
    value: str
    channel: str
    message_ts: str
    thread_ts: str  # the thread the message is in (its own ts for a top-level message)
    response_url: str

    @property
    def readable(self) -> bool:
        """Enough to act on: who clicked, which thing, on which message."""
        return bool(self.user and self.value and self.channel and self.message_ts)

    def audit_details(self) -> dict:
        return {"action_id": self.action_id, "value": self.value[:200]}


def read_click(body: object, action: object = None) -> Click:
    body, action = _dict(body), _dict(action)
    if not action:
        actions = body.get("actions")
        action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
    message = _dict(body.get("message"))
    container = _dict(body.get("container"))
    message_ts = _text(message.get("ts") or container.get("message_ts"), 40)
    return Click(
        user=_text(_dict(body.get("user")).get("id"), 40),
        action_id=_text(action.get("action_id"), 255),
        value=_text(action.get("value"), MAX_VALUE),
        channel=_text(_dict(body.get("channel")).get("id") or container.get("channel_id"), 40),
        message_ts=message_ts,
        thread_ts=_text(message.get("thread_ts"), 40) or message_ts,
        response_url=_text(body.get("response_url"), 1000),
    )
