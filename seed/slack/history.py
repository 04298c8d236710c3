"""conversations.history and conversations.replies as Slack answers them: newest first in a channel
(thread replies left out), a thread's parent then its replies oldest first, cursor pages, and a
message's metadata only when `include_all_metadata` asks for it."""

from __future__ import annotations

from typing import Any

from seed.slack.webapi import Handler, SlackError
from seed.slack.workspace import Message, Workspace

DEFAULT_LIMIT, MAX_LIMIT = 100, 999


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _channel_id(ws: Workspace, args: dict) -> str:
    # the history methods take an id; a name is channel_not_found, as in Slack
    channel = args.get("channel")
    if not channel or channel not in ws.channels.values():
        raise SlackError("channel_not_found")
    if channel in ws.not_member:
        raise SlackError("not_in_channel")
    return channel


def _shown(message: Message, with_metadata: bool) -> dict:
    shown: dict[str, Any] = {"type": "message", "user": message.user, "text": message.text, "ts": message.ts}
    if message.blocks:
        shown["blocks"] = message.blocks
    if message.thread_ts:
        shown["thread_ts"] = message.thread_ts
    if with_metadata and message.metadata:
        shown["metadata"] = message.metadata
    return shown


def _page(messages: list[Message], args: dict) -> dict:
    try:
        limit = min(MAX_LIMIT, max(1, int(args.get("limit") or DEFAULT_LIMIT)))
        start = int(args.get("cursor") or 0)
    except ValueError:
        raise SlackError("invalid_arguments") from None
    chunk = messages[start:start + limit]
    more = start + limit < len(messages)
    return {"messages": [_shown(m, _truthy(args.get("include_all_metadata"))) for m in chunk], "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def conversations_history(ws: Workspace, args: dict) -> dict:
    channel = _channel_id(ws, args)
    top = [m for m in ws.messages if m.channel == channel and (m.thread_ts is None or m.thread_ts == m.ts)]
    return _page(sorted(top, key=lambda m: m.ts, reverse=True), args)


def conversations_replies(ws: Workspace, args: dict) -> dict:
    channel = _channel_id(ws, args)
    parent = ws.find(channel, args.get("ts") or "")
    if parent is None:
        raise SlackError("thread_not_found")
    replies = sorted((m for m in ws.messages if m.channel == channel and m.thread_ts == parent.ts
                      and m.ts != parent.ts), key=lambda m: m.ts)
    return _page([parent, *replies], args)


HISTORY_METHODS: dict[str, Handler] = {
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
}
