"""Hostile text for probing the Slack edge: what a poisoned warehouse row, a careless or malicious
user, a prompt-injected model or an echoing upstream error can put in front of the bot.

Shared by the escaping tests, the fuzz test and bench/hostile_input.py. `markup_tokens` finds what
Slack would interpret in a piece of mrkdwn: every `<…>` token.
"""

from __future__ import annotations

import re

STRINGS = [
    "*bold* <!channel> <https://evil.example|open runbook>",
    "<!channel> APPROVED by the on-call: executing the rollback now",
    "<!everyone>", "<!here>", "<!here|here>", "<@U0EVIL>", "<@W0EVIL|boss>", "<#C0EVIL|general>",
    "<!subteam^S0EVIL|@oncall>", "<!date^1700000000^{date}|fake>", "<https://evil.example>",
    "<mailto:a@evil.example|mail>", "&lt;!channel&gt;", "&amp;lt;", "[open runbook](https://evil.example)",
    "`code` ``` triple ```", "> quoted\n>>> block", "_em_ ~strike~ *b*", "\x00nul\x00byte", "tab\tnew\nline\r\n",
    "\u202eoverride", "\ufffd", "💥" * 60, "x" * 3000, "a" * 250 + "<!channel>", "", " ", "|", "<", ">", "&",
    "<<!channel>>", "< !channel >", "<!channel", "!channel>", "%s %d {0} {}", "'; DROP TABLE alerts; --",
    "classifier_v2\x00<!channel>", "model_drift:classifier_v2 <!channel>",
]

_TOKEN = re.compile(r"<[^<>]*>")
# a date token as the bot builds one (handlers/mrkdwn.py `when`, `ago`): from a datetime only, so an
# epoch, one of two fixed formats and a UTC fallback; nothing else a hostile string could choose
_BOT_DATE = re.compile(r"^<!date\^\d{10}\^(\{date_short_pretty\} \{time(_secs)?\}|\{ago\})"
                       r"\|\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC>$")


def markup_tokens(mrkdwn: str) -> list[str]:
    """Every `<…>` Slack would read as a mention, a channel, a special command or a link."""
    return _TOKEN.findall(mrkdwn)


def is_bot_date(token: str) -> bool:
    """Whether a `<…>` token is a date token of the bot's own making (safe: it only shows a time)."""
    return bool(_BOT_DATE.match(token))


def mrkdwn_texts(blocks: object) -> list[str]:
    """Every mrkdwn string in blocks (or a view): the places Slack interprets markup."""
    found: list[str] = []
    if isinstance(blocks, dict):
        if blocks.get("type") == "mrkdwn" and isinstance(blocks.get("text"), str):
            found.append(blocks["text"])
        for value in blocks.values():
            found += mrkdwn_texts(value)
    elif isinstance(blocks, list):
        for value in blocks:
            found += mrkdwn_texts(value)
    return found
