"""The one escaping rule of the Slack edge: text the bot did not write is shown, never interpreted.

Warehouse values, user text, model text and upstream errors all pass through `esc` (or `code`)
before they are put into mrkdwn or a notification's `text`; only mentions, links and date tokens
the bot builds itself (`mention`, `group_mention`, `link`, `when`, `ago`) stay markup. Slack's own escaping is `&`,
`<` and `>`: with those escaped, `<!channel>`, `<@U…>` and `<https://…|disguised>` are plain
characters. Header blocks are plain_text, which Slack never interprets, so they take raw text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SLACK_ID = re.compile(r"^[UWB][A-Z0-9]{2,20}$")
_SUBTEAM_ID = re.compile(r"^S[A-Z0-9]{2,20}$")
_URL = re.compile(r"^https?://[^\s<>|\x00-\x1f\x7f]+$")


def esc(text: object) -> str:
    """Untrusted text as Slack shows it literally (control characters dropped)."""
    return _CONTROL.sub("", str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: object, limit: int = 200) -> str:
    """Untrusted text in a code span: escaped, cut to `limit`, and unable to close the span early."""
    shown = str(text)
    shown = shown if len(shown) <= limit else shown[: limit - 1] + "…"
    return "`" + esc(shown).replace("`", "ˋ") + "`"


def mention(user_id: object) -> str:
    """`<@U…>` for a real Slack user id; anything else (a forged or malformed id) is shown as text."""
    text = str(user_id or "")
    return f"<@{text}>" if _SLACK_ID.match(text) else code(text or "(unknown user)", 40)


def group_mention(subteam_id: object) -> str:
    """`<!subteam^S…>` (a Slack user group) for a configured subteam id; anything else is shown as text."""
    text = str(subteam_id or "")
    return f"<!subteam^{text}>" if _SUBTEAM_ID.match(text) else code(text or "(unknown group)", 40)


def link(url: str, label: str) -> str:
    """A link the bot built from configuration; a URL that is not one is shown as text."""
    return f"<{url}|{esc(label).replace('|', '¦')}>" if _URL.match(url) else esc(label)


def when(at: datetime, seconds: bool = False) -> str:
    """A time each reader sees in their own time zone ("Today at 7:16 AM"); UTC where Slack cannot."""
    at = at.astimezone(UTC)
    clock = "{time_secs}" if seconds else "{time}"
    fallback = f"{at:%Y-%m-%d %H:%M:%S} UTC" if seconds else f"{at:%Y-%m-%d %H:%M} UTC"
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {clock}|{fallback}>"


def ago(at: datetime) -> str:
    """How long ago, as Slack counts it for the reader ("12 minutes ago"), kept current as time passes."""
    at = at.astimezone(UTC)
    return f"<!date^{int(at.timestamp())}^{{ago}}|{at:%Y-%m-%d %H:%M} UTC>"
