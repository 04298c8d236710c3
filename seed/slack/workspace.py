"""What the stand-in remembers: channels, messages with threads and edits, ephemerals, views,
files, reactions, every Web API call and every socket-mode envelope with its ack."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from seed.slack.blockkit import as_read, blocks_text

BOT_USER = "U0AGENTOPS"
RECHECK_SEC = 0.05  # how often wait_for re-reads state the workspace is not told about
DEFAULT_USERS = {
    "U0ONCALL": "Dana (on-call)",
    "U0APPROVER": "Sam (ML lead)",
    "U0VIEWER": "Riley (analyst)",
    BOT_USER: "AgentOps",
}
DEFAULT_CHANNELS = {"ml-alerts": "C0MLALERTS", "data-alerts": "C0DATAALERTS", "general": "C0GENERAL"}


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict] | None = None
    thread_ts: str | None = None
    edits: int = 0
    files: list[dict] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)
    metadata: dict | None = None  # Slack message metadata: {"event_type", "event_payload"}, as posted
    # when it was posted or last edited, so a transcript can print changes in the order they happened
    changed_at: float = field(default_factory=time.monotonic)
    posted_at: float = field(default_factory=time.monotonic)  # time.monotonic() when it was posted

    def edited(self) -> None:
        self.edits += 1
        self.changed_at = time.monotonic()

    def readable(self) -> str:
        return blocks_text(self.blocks) or as_read(self.text)

    @property
    def shown(self) -> str:
        """The `text` field as a notification shows it (Slack's escapes read as their characters)."""
        return as_read(self.text)


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict] | None = None
    thread_ts: str | None = None
    via: str = "chat.postEphemeral"  # or "response_url"
    ts: str = ""  # its message_ts, which a click on it names (and a response_url may replace it by)
    edits: int = 0


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    status: int = 200


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict
    sent_at: float
    acked_at: float | None = None
    ack_payload: dict | None = None
    connection: int | None = None

    @property
    def ack_latency(self) -> float | None:
        return None if self.acked_at is None else self.acked_at - self.sent_at


class Workspace:
    """State shared between the server's event loop and the test thread, guarded by one Condition."""

    def __init__(self, channels: dict[str, str] | None = None, users: dict[str, str] | None = None) -> None:
        self.changed = threading.Condition()
        self.channels = dict(channels or DEFAULT_CHANNELS)
        self.users = dict(users or DEFAULT_USERS)
        self.usergroups: dict[str, list[str]] = {}  # subteam id → member user ids (usergroups.users.list)
        self.not_member: set[str] = set()  # channel ids the bot has not been invited to
        self.messages: list[Message] = []
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, dict] = {}  # user id → published home view
        self.calls: list[Call] = []
        self.envelopes: dict[str, Envelope] = {}
        self.invalid_blocks: list[tuple[str, list[str]]] = []
        self.missing_text: list[str] = []  # methods called with blocks but no text fallback
        self.connection_events: list[tuple[float, str, int]] = []  # (time, "open"|"close", connection id)
        # assistant.threads.setStatus: the status shown under each thread now, and every one ever set
        self.statuses: dict[tuple[str, str], str] = {}
        self.status_log: list[tuple[str, str, str]] = []  # (channel, thread_ts, status)
        self._ts = itertools.count(100)
        self._base = int(time.time())

    def next_ts(self) -> str:
        return f"{self._base}.{next(self._ts):06d}"

    def channel_id(self, name_or_id: str | None) -> str | None:
        if not name_or_id:
            return None
        if name_or_id in self.channels.values() or name_or_id.startswith("D"):
            return name_or_id
        return self.channels.get(name_or_id.lstrip("#"))

    def find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
        """Block the calling (test) thread until predicate() is truthy; returns its value.

        Checked on every change in the workspace, and every RECHECK_SEC besides: a predicate may also
        read state outside Slack (the bot's state store), which does not wake this condition."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not (result := predicate()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"the stand-in did not see that within {timeout}s")
                self.changed.wait(min(remaining, RECHECK_SEC))
        return result
