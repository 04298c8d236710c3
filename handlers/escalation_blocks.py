"""Pure builders for acknowledgements and escalation pages in Slack: the page note in the alert's thread
(mentioning the policy's users and user groups, from their configured ids only) and the answers to the
person who acknowledged."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.durations import in_words
from bot.paging import Page
from handlers.actions.ids import ACKNOWLEDGE_ALERT
from handlers.blocks import Blocks, button, context, section
from handlers.mrkdwn import code, esc, group_mention, mention, when


def page_note(page: Page) -> tuple[str, Blocks]:
    """The escalation step in the alert's thread: who is paged, why, and an [Acknowledge] that stops it."""
    who = " ".join(group_mention(m.id) if m.kind == "group" else mention(m.id) for m in page.mention)
    lead = f"🚨 {who} " if who else "🚨 "
    text = f"{lead}{esc(page.severity.upper())} {code(page.component, 100)}: {esc(page.why)}."
    blocks = [section(f"{text}\n{esc(page.summary)}"),
              context(f"Incident {code(page.incident_id, 40)} · acknowledge to stop the escalation, or "
                      f"{code('/agentops ack ' + page.fingerprint)}"),
              {"type": "actions", "elements": [button("Acknowledge", ACKNOWLEDGE_ALERT, page.fingerprint,
                                                      style="primary")]}]
    return text[:3000], blocks


def acknowledged(fingerprint: str, time_to_ack_sec: float | None) -> tuple[str, Blocks]:
    took = (f" {in_words(timedelta(seconds=int(time_to_ack_sec)))} after it was posted"
            if time_to_ack_sec is not None else "")
    text = f"You acknowledged {code(fingerprint)}{took}; its escalation stops. Resolve it, or it stays on you."
    return text, [section(text)]


def already_acknowledged(fingerprint: str, by: str, at: datetime | None) -> tuple[str, Blocks]:
    since = f" {when(at)}" if at is not None else ""
    text = f"{code(fingerprint)} was already acknowledged by {mention(by)}{since}; nothing changed."
    return text, [section(text)]


def not_firing(fingerprint: str) -> tuple[str, Blocks]:
    text = (f"{code(fingerprint)} is not firing (unknown, or already resolved), so there is nothing to "
            f"acknowledge. {code('/agentops alerts')} lists what fires.")
    return text, [section(text)]

