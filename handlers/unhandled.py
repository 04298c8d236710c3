"""Requests no listener took: an unknown or renamed button, a malformed payload, a payload type the
bot has no listener for. The socket handler acks them anyway (an unacked envelope is retried by
Slack and shows the user an error); this answers whoever sent one and audits it."""

from __future__ import annotations

import asyncio
import logging

from bot.deps import Deps
from handlers.actions.click import read_click
from handlers.answer import answer_privately
from handlers.mrkdwn import code
from handlers.slack_edge import SlackEdge

log = logging.getLogger("agentops.slack")


def _describe(kind: str, payload: dict) -> tuple[str, str]:
    """(what it was, the audit action) in the words a user would recognise."""
    if kind == "slash_commands":
        command = payload.get("command")
        return (f"the command {code(command, 40)}" if isinstance(command, str) else "that command"), "command.unhandled"
    if payload.get("type") == "block_actions":
        action_id = read_click(payload).action_id
        return (f"that button ({code(action_id, 60)})" if action_id else "that click"), "click.unhandled"
    kind_said = payload.get("type")
    return (f"a {code(kind_said, 40)} request" if isinstance(kind_said, str) else "that request"), "click.unhandled"


def _text(value: object) -> str:
    return value.replace("\x00", "")[:40] if isinstance(value, str) else ""


async def answer_unhandled(deps: Deps, slack: SlackEdge, kind: str, payload: object, *, problem: str | None = None,
                           failed: bool = False) -> None:
    """Audit and answer a request no listener handled. `problem`: it was too malformed to dispatch;
    `failed`: a listener took it but raised before acking (its error is in the log). Events are only
    counted: Slack sends the ones the app subscribed to, and nobody waits for an answer to one.
    Never raises: it runs after the ack, for a payload that may be malformed in any way."""
    if kind == "events_api":
        log.info("an event no listener handled was acked (%s)", problem or "no listener for its type")
        return
    try:
        payload = payload if isinstance(payload, dict) else {}
        what, action = _describe(kind, payload)
        clicked = read_click(payload)
        user = clicked.user or _text(payload.get("user_id"))
        channel = clicked.channel or _text(payload.get("channel_id"))
        outcome = "failed" if failed else "refused:malformed" if problem else "refused:unhandled"
        await asyncio.to_thread(deps.store.audit.record, actor=user or "(unknown)", action=action,
                                subject=clicked.value or clicked.action_id or "(none)", outcome=outcome,
                                now=deps.clock.now(), details={"type": str(payload.get("type"))[:60],
                                                               "problem": problem, **clicked.audit_details()},
                                channel=channel or None, message_ts=clicked.message_ts or None)
        if failed:
            text = (f"Something went wrong handling {what}; nothing was done and the error is in the bot's log. "
                    "Try again in a minute.")
        elif problem:
            text = f"I couldn't read {what} ({problem}), so nothing was done. Your request was logged."
        else:
            text = (f"AgentOps doesn't know {what}, so nothing was done. It may come from an older version of a "
                    "message; `/agentops help` lists what I can do.")
        await answer_privately(slack, response_url=clicked.response_url, channel=channel, user=user, text=text)
    except Exception as error:
        if not deps.store_outages.reported(error, "auditing an unhandled request", deps.clock.now()):
            log.exception("answering an unhandled request failed")
