"""The Web API methods AgentOps calls, answered the way Slack answers them (ok/error JSON, 429s)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from seed.slack.blockkit import validate_blocks, validate_view
from seed.slack.workspace import BOT_USER, Ephemeral, Message, Workspace

Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


def _blocks(ws: Workspace, method: str, args: dict) -> list[dict] | None:
    blocks = args.get("blocks")
    if isinstance(blocks, str):  # form-encoded bodies carry blocks as a JSON string
        blocks = json.loads(blocks)
    if blocks is None:
        return None
    errors = validate_blocks(blocks)
    if errors:
        ws.invalid_blocks.append((method, errors))
        raise SlackError("invalid_blocks", errors=errors)
    if not args.get("text"):
        ws.missing_text.append(method)
    return blocks


def resolve_channel(ws: Workspace, args: dict, key: str = "channel") -> str:
    channel = ws.channel_id(args.get(key))
    if channel is None:
        raise SlackError("channel_not_found")
    return channel


def auth_test(ws: Workspace, args: dict) -> dict:
    return {"url": "https://agentops-standin.slack.com/", "team": "AgentOps Stand-in", "user": "agentops",
            "team_id": "T0AGENTOPS", "user_id": BOT_USER, "bot_id": "B0AGENTOPS", "is_enterprise_install": False}


def message_metadata(args: dict) -> dict | None:
    """chat.postMessage's `metadata` (JSON in a form-encoded body), checked as Slack checks it."""
    raw = args.get("metadata")
    if raw is None:
        return None
    metadata = json.loads(raw) if isinstance(raw, str) else raw
    if (not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload"), dict)):
        raise SlackError("invalid_metadata_format")
    if len(json.dumps(metadata)) > 8_000:
        raise SlackError("metadata_too_large")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def post_message(ws: Workspace, args: dict) -> dict:
    channel = resolve_channel(ws, args)
    if channel in ws.not_member:
        raise SlackError("not_in_channel")
    blocks = _blocks(ws, "chat.postMessage", args)
    if not args.get("text") and not blocks:
        raise SlackError("no_text")
    message = Message(channel, ws.next_ts(), BOT_USER, args.get("text", ""), blocks, args.get("thread_ts") or None,
                      metadata=message_metadata(args))
    ws.messages.append(message)
    if message.thread_ts:  # as in Slack, the app's reply in a thread clears its status there
        ws.statuses.pop((channel, message.thread_ts), None)
    return {"channel": channel, "ts": message.ts, "message": {"text": message.text, "ts": message.ts}}


def update(ws: Workspace, args: dict) -> dict:
    channel = resolve_channel(ws, args)
    message = ws.find(channel, args.get("ts", ""))
    if message is None:
        raise SlackError("message_not_found")
    blocks = _blocks(ws, "chat.update", args)
    message.text = args.get("text", message.text)
    message.blocks = blocks if blocks is not None else message.blocks
    message.edited()
    return {"channel": channel, "ts": message.ts, "text": message.text}


def post_ephemeral(ws: Workspace, args: dict) -> dict:
    channel = resolve_channel(ws, args)
    if args.get("user") not in ws.users:
        raise SlackError("user_not_in_channel")
    blocks = _blocks(ws, "chat.postEphemeral", args)
    ts = ws.next_ts()
    ws.ephemerals.append(Ephemeral(channel, args["user"], args.get("text", ""), blocks, args.get("thread_ts"),
                                   ts=ts))
    return {"message_ts": ts}


def views_publish(ws: Workspace, args: dict) -> dict:
    view = args.get("view")
    view = json.loads(view) if isinstance(view, str) else view
    errors = validate_view(view)
    if errors:
        ws.invalid_blocks.append(("views.publish", errors))
        raise SlackError("invalid_blocks", errors=errors)
    if args.get("user_id") not in ws.users:
        raise SlackError("user_not_found")
    ws.views[args["user_id"]] = view
    return {"view": {"id": f"V{secrets.token_hex(4).upper()}", **view}}


def reactions_add(ws: Workspace, args: dict) -> dict:
    message = ws.find(resolve_channel(ws, args), args.get("timestamp", ""))
    if message is None:
        raise SlackError("message_not_found")
    if args.get("name") in message.reactions:
        raise SlackError("already_reacted")
    message.reactions.append(args.get("name", ""))
    return {}


def _channel(ws: Workspace, name: str, channel: str) -> dict:
    return {"id": channel, "name": name, "is_channel": True, "is_archived": False,
            "is_member": channel not in ws.not_member}


def conversations_info(ws: Workspace, args: dict) -> dict:
    # Slack answers only a channel id here; a name is channel_not_found, as there
    channel = args.get("channel")
    name = next((n for n, c in ws.channels.items() if c == channel), None)
    if name is None:
        raise SlackError("channel_not_found")
    return {"channel": _channel(ws, name, channel)}


def conversations_list(ws: Workspace, args: dict) -> dict:
    return {"channels": [_channel(ws, name, channel) for name, channel in ws.channels.items()],
            "response_metadata": {"next_cursor": ""}}


def reactions_remove(ws: Workspace, args: dict) -> dict:
    message = ws.find(resolve_channel(ws, args), args.get("timestamp", ""))
    if message is None:
        raise SlackError("message_not_found")
    if args.get("name") not in message.reactions:
        raise SlackError("no_reaction")
    message.reactions.remove(args["name"])
    return {}


def set_status(ws: Workspace, args: dict) -> dict:
    """assistant.threads.setStatus: a channel id (never a name), an existing thread, a status ("" clears)."""
    channel = args.get("channel_id")
    if not channel or channel not in ws.channels.values():
        raise SlackError("channel_not_found")
    parent = ws.find(channel, args.get("thread_ts") or "")
    if parent is None or parent.thread_ts is not None:
        raise SlackError("invalid_thread_ts")
    status = args.get("status")
    if not isinstance(status, str):
        raise SlackError("invalid_arguments")
    loading = args.get("loading_messages")
    loading = json.loads(loading) if isinstance(loading, str) else loading
    if loading is not None and (not isinstance(loading, list) or len(loading) > 10
                                or not all(isinstance(m, str) for m in loading)):
        raise SlackError("invalid_arguments")
    if status:
        ws.statuses[(channel, parent.ts)] = status
    else:
        ws.statuses.pop((channel, parent.ts), None)
    ws.status_log.append((channel, parent.ts, status))
    return {}


def get_permalink(ws: Workspace, args: dict) -> dict:
    channel = resolve_channel(ws, args)
    message = ws.find(channel, args.get("message_ts") or "")
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://agentops-standin.slack.com/archives/{channel}/p{message.ts.replace('.', '')}"
    if message.thread_ts:
        link += f"?thread_ts={message.thread_ts}&cid={channel}"
    return {"channel": channel, "permalink": link}


def users_info(ws: Workspace, args: dict) -> dict:
    user = args.get("user")
    if user not in ws.users:
        raise SlackError("user_not_found")
    name = ws.users[user]
    return {"user": {"id": user, "name": name.split()[0].lower(), "real_name": name,
                     "profile": {"display_name": name.split()[0], "real_name": name}}}


def usergroups_users_list(ws: Workspace, args: dict) -> dict:
    group = args.get("usergroup")
    if group not in ws.usergroups:
        raise SlackError("no_such_subteam")
    return {"users": list(ws.usergroups[group])}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "views.publish": views_publish,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
    "assistant.threads.setStatus": set_status,
    "chat.getPermalink": get_permalink,
    "users.info": users_info,
    "usergroups.users.list": usergroups_users_list,
    "conversations.info": conversations_info,
    "conversations.list": conversations_list,
}


async def read_args(request: web.Request) -> dict[str, Any]:
    """Slack accepts JSON, form-encoded, or empty bodies (auth.test may arrive with `{}` or nothing)."""
    args: dict[str, Any] = dict(request.query)
    body = await request.read()
    if not body:
        return args
    if request.content_type == "application/json":
        parsed = json.loads(body)
        args.update(parsed if isinstance(parsed, dict) else {})
    else:
        args.update(await request.post())
    return args
