"""A request's response_url answered as Slack does: replace the original message, post in the
channel, or (by default) an ephemeral message for the user who acted."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from seed.slack.blockkit import validate_blocks
from seed.slack.workspace import BOT_USER, Ephemeral, Message, Workspace


def answer_response_url(ws: Workspace, context: dict[str, Any], body: dict) -> web.Response:
    errors = validate_blocks(body["blocks"]) if "blocks" in body else []
    with ws.changed:
        if errors:
            ws.invalid_blocks.append(("response_url", errors))
            return web.json_response({"ok": False, "error": "invalid_blocks", "errors": errors}, status=400)
        if "blocks" in body and not body.get("text"):
            ws.missing_text.append("response_url")
        original = ws.find(context["channel"], context.get("message_ts", ""))
        # an ephemeral message is only its user's: a click on one replaces it for them, in place
        shown = next((e for e in ws.ephemerals if context.get("message_ts") and e.ts == context["message_ts"]
                      and e.user == context["user"]), None) if original is None else None
        if body.get("replace_original") and original is not None:
            original.text, original.blocks = body.get("text", ""), body.get("blocks")
            original.edited()
        elif body.get("replace_original") and shown is not None:
            shown.text, shown.blocks = body.get("text", ""), body.get("blocks")
            shown.edits += 1
        elif body.get("response_type") == "in_channel":
            ws.messages.append(Message(context["channel"], ws.next_ts(), BOT_USER, body.get("text", ""),
                                       body.get("blocks"), body.get("thread_ts")))
        else:
            ws.ephemerals.append(Ephemeral(context["channel"], context["user"], body.get("text", ""),
                                           body.get("blocks"), body.get("thread_ts"), via="response_url",
                                           ts=ws.next_ts()))
        ws.changed.notify_all()
    return web.json_response({"ok": True})
