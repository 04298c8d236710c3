"""Silencing and unsilencing, the same way from the command and from the button: stored, audited, told
in the alert's thread, and the alert post redrawn with 🔕 and until when."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from bot.deps import Deps
from bot.notify import PostRef
from bot.store.records import Silence
from handlers import silence_blocks
from handlers.blocks import Blocks
from handlers.own_posts import tagged
from handlers.slack_edge import SlackEdge, SlackFailure


@dataclass(frozen=True)
class Told:
    """Where the team was told: the alert's thread, or the alert channel when nothing fires for it."""

    in_thread: bool
    posted: bool

    def where(self) -> str:
        if not self.posted:
            return "I couldn't post the notice for the team; it is in the audit log."
        if self.in_thread:
            return "The alert's thread says so."
        return "Nothing fires for it now; the alert channel says so."


async def _tell(deps: Deps, slack: SlackEdge, fingerprint: str, message: tuple[str, Blocks],
                clicked: PostRef | None = None) -> Told:
    """The notice in the firing alert's thread, then its post redrawn; with nothing firing, the thread of the
    message clicked on, else the alert channel."""
    alert = await asyncio.to_thread(deps.store.alerts.firing, fingerprint)
    post = PostRef(alert.slack_channel, alert.slack_ts) if alert and alert.slack_channel and alert.slack_ts else None
    thread = post or clicked
    text, blocks = message
    posted = await slack.call("chat.postMessage", slack.client.chat_postMessage(
        channel=thread.channel if thread else deps.settings.slack_alert_channel,
        thread_ts=thread.ts if thread else None, text=text, blocks=blocks, metadata=tagged("silence")))
    if post is not None and alert is not None:  # the post redrawn as the monitor draws it: 🔕 while silenced
        sharing = await asyncio.to_thread(deps.store.alerts.sharing_post, post.channel, post.ts)
        await deps.announcer.alert_changed(post, alert.component, sharing)
    return Told(in_thread=thread is not None, posted=not isinstance(posted, SlackFailure))


async def silence(deps: Deps, slack: SlackEdge, *, fingerprint: str, user: str, duration: timedelta, reason: str,
                  via: str, clicked: PostRef | None = None, message_ts: str | None = None) -> tuple[Silence, Told]:
    now = deps.clock.now()
    made = await asyncio.to_thread(deps.store.silences.add, fingerprint, user, now, now + duration, reason)
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="silence.add", subject=fingerprint,
                            outcome="silenced", now=now,
                            details={"until": made.ends_at.isoformat(), "reason": reason, "via": via},
                            channel=clicked.channel if clicked else None, message_ts=message_ts)
    told = await _tell(deps, slack, fingerprint,
                       silence_blocks.silenced(user, fingerprint, duration, made.ends_at, reason), clicked)
    return made, told


async def unsilence(deps: Deps, slack: SlackEdge, *, fingerprint: str, user: str) -> Told | None:
    """None when no silence was in force (nothing changed, nothing audited)."""
    now = deps.clock.now()
    ended = await asyncio.to_thread(deps.store.silences.end, fingerprint, now)
    if not ended:
        return None
    await asyncio.to_thread(deps.store.audit.record, actor=user, action="silence.remove", subject=fingerprint,
                            outcome="unsilenced", now=now, details={"ended": ended, "via": "command"})
    return await _tell(deps, slack, fingerprint, silence_blocks.unsilenced(user, fingerprint))
