"""The two-step external upload (files.getUploadURLExternal, POST, files.completeUploadExternal)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from seed.slack.webapi import SlackError, resolve_channel
from seed.slack.workspace import BOT_USER, Message, Workspace


class Uploads:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.pending: dict[str, dict[str, Any]] = {}  # file id → {filename, length, content}

    def get_upload_url(self, ws: Workspace, args: dict) -> dict:
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            raise SlackError("invalid_arguments")
        file_id = f"F{secrets.token_hex(5).upper()}"
        self.pending[file_id] = {"filename": args["filename"], "length": int(args["length"]), "content": None}
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def receive(self, file_id: str, content: bytes) -> bool:
        if file_id not in self.pending:
            return False
        self.pending[file_id]["content"] = content
        return True

    def complete(self, ws: Workspace, args: dict) -> dict:
        files = args.get("files")
        files = json.loads(files) if isinstance(files, str) else files
        done = []
        for item in files or []:
            upload = self.pending.pop(item.get("id"), None)
            if upload is None or upload["content"] is None:
                raise SlackError("file_not_found")
            done.append({"id": item["id"], "title": item.get("title") or upload["filename"],
                         "name": upload["filename"], "size": len(upload["content"]),
                         "content": upload["content"]})
        if args.get("channel_id"):
            channel = resolve_channel(ws, args, "channel_id")
            message = Message(channel, ws.next_ts(), BOT_USER, args.get("initial_comment", ""), None,
                              args.get("thread_ts") or None, files=done)
            ws.messages.append(message)
        return {"files": [{"id": f["id"], "title": f["title"]} for f in done]}
