"""A channel as a person would read it: messages in order, threads indented, edits marked."""

from __future__ import annotations

from seed.slack.workspace import Workspace


def render_channel(ws: Workspace, channel: str) -> str:
    lines = []
    top = [m for m in ws.messages if m.channel == channel and m.thread_ts is None]
    for message in top:
        lines += _render(ws, message, "")
        for reply in (m for m in ws.messages if m.channel == channel and m.thread_ts == message.ts):
            lines += _render(ws, reply, "    ↳ ")
    return "\n".join(lines)


def _render(ws: Workspace, message, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    who = ws.users.get(message.user, message.user)
    edited = " (edited)" if message.edits else ""
    body = message.readable().splitlines() or [""]
    out = [f"{prefix}{who}{edited}: {body[0]}"]
    pad = " " * len(prefix) + "  "
    out += [f"{pad}{line}" for line in body[1:]]
    out += [f"{pad}📎 {f['title']} ({f['size']} bytes)" for f in message.files]
    if message.reactions:
        out.append(f"{pad}" + " ".join(f":{r}:" for r in message.reactions))
    return out
