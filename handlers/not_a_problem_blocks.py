"""Pure builders for the private answers to a "Not a problem" click (the post itself is redrawn by
alert_blocks.alert_post, with who marked it)."""

from __future__ import annotations

from datetime import datetime

from handlers.blocks import Blocks, section
from handlers.mrkdwn import code, mention, when


def marked(fingerprint: str) -> tuple[str, Blocks]:
    text = (f"You marked {code(fingerprint)} not a problem: it counts as a false positive, and its escalation "
            f"stops. If its rule pages for nothing, tune the threshold in the rules file.")
    return text, [section(text)]


def already_marked(fingerprint: str, by: str, at: datetime | None) -> tuple[str, Blocks]:
    since = f" {when(at)}" if at is not None else ""
    text = f"{code(fingerprint)} was already marked not a problem by {mention(by)}{since}; nothing changed."
    return text, [section(text)]


def not_firing(fingerprint: str) -> tuple[str, Blocks]:
    text = (f"{code(fingerprint)} is not firing (unknown, or already resolved), so there is nothing to mark. "
            f"{code('/agentops alerts')} lists what fires.")
    return text, [section(text)]
