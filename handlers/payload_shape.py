"""Whether a socket-mode payload has the shape Slack sends, checked before Bolt sees it.

Bolt's matchers and context builders index into a payload without checks (`action["action_id"]`,
an event's `user` taken as an id): a malformed one raises inside Bolt, before any listener could
ack it. Such a payload is acked and answered by the socket handler instead (handlers/unhandled.py).
"""

from __future__ import annotations

_EVENT_TEXT = ("user", "channel", "ts", "thread_ts", "event_ts", "text", "tab")
_COMMAND_TEXT = ("user_id", "channel_id", "team_id", "text", "response_url", "trigger_id")
_CLICK_OBJECTS = ("user", "channel", "team", "container", "message")


def _not_text(mapping: dict, keys: tuple[str, ...]) -> str | None:
    """The first of `keys` present but not a string: Bolt reads these as ids and fails on anything else."""
    return next((k for k in keys if k in mapping and mapping[k] is not None and not isinstance(mapping[k], str)),
                None)


def payload_problem(kind: str, payload: object) -> str | None:
    """Why a socket-mode payload is too malformed to hand to Bolt (its matchers and context builders
    index into it without checks, and fail before anything could ack it), or None when it has the
    shape Slack sends."""
    if not isinstance(payload, dict):
        return "the payload is not an object"
    if kind == "interactive" and payload.get("type") == "block_actions":
        actions = payload.get("actions")
        if not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)):
            return "a click without a list of actions"
        if not all(isinstance(a.get("action_id"), str) for a in actions):
            return "a click whose action has no action_id"
        if not isinstance(payload.get("user"), dict):
            return "a click without a user"
        bad = next((k for k in _CLICK_OBJECTS if k in payload and payload[k] is not None
                    and not isinstance(payload[k], dict)), None)
        if bad or _not_text(payload, ("response_url", "trigger_id")):
            return f"a click with a malformed {bad or 'response_url'}"
    if kind == "events_api":
        event = payload.get("event")
        if not (isinstance(event, dict) and isinstance(event.get("type"), str)):
            return "an event without a type"
        if bad := _not_text(event, _EVENT_TEXT):
            return f"an event with a malformed {bad}"
    if kind == "slash_commands":
        if not isinstance(payload.get("command"), str):
            return "a command without its name"
        if bad := _not_text(payload, _COMMAND_TEXT):
            return f"a command with a malformed {bad}"
    return None
