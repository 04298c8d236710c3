"""Pure builders for silences: the notice in the alert's thread, the caller's confirmation, the list."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.durations import in_words
from bot.store.records import Silence
from handlers.blocks import Blocks, context, header, section
from handlers.mrkdwn import code, esc, mention
from handlers.pages import page_of

PER_PAGE = 20  # one section each, well inside 50 blocks; a reason is cut so a section stays short
REASON_SHOWN = 200


def _until(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def silenced(user: str, fingerprint: str, duration: timedelta, until: datetime, reason: str) -> tuple[str, Blocks]:
    """For everyone: in the alert's thread (or the alert channel when nothing fires for it yet)."""
    because = f" — {esc(reason)}" if reason else ""
    text = (f"🔕 {mention(user)} silenced {code(fingerprint)} for {in_words(duration)}, until {_until(until)}"
            f"{because}. Undo with {code('/agentops unsilence ' + fingerprint)}.")
    return text, [section(text)]


def silence_confirmed(fingerprint: str, duration: timedelta, until: datetime, where: str) -> tuple[str, Blocks]:
    """For the command's caller only: what was done and where the team was told."""
    text = (f"You silenced {code(fingerprint)} for {in_words(duration)}, until {_until(until)}. "
            f"{esc(where)}")
    return text, [section(text)]


def unsilenced(user: str, fingerprint: str) -> tuple[str, Blocks]:
    text = f"🔔 {mention(user)} lifted the silence on {code(fingerprint)}; it notifies again."
    return text, [section(text)]


def nothing_to_unsilence(fingerprint: str) -> tuple[str, Blocks]:
    text = f"{code(fingerprint)} is not silenced. `/agentops silences` lists the silences in force."
    return text, [section(text)]


def silences_list(silences: list[Silence], now: datetime, page: int = 1) -> tuple[str, Blocks]:
    if not silences:
        return "No silences are in force.", [section("🔔 No silences are in force.")]
    shown = page_of(silences, page, PER_PAGE)
    page, pages = shown.number, shown.pages
    text = f"{len(silences)} silence(s) in force"
    blocks: Blocks = [header(f"🔕 {text}")]
    for s in shown.items:
        reason = f"\n_{esc(s.reason[:REASON_SHOWN])}_" if s.reason else ""
        blocks.append(section(f"{code(s.fingerprint)} until {_until(s.ends_at)} "
                              f"({in_words(s.ends_at - now)} left) · by {mention(s.created_by)}{reason}"))
    more = f" · `/agentops silences {page + 1}` for the next" if page < pages else ""
    blocks.append(context(f"{shown.showing.capitalize()} · page {page} of {pages}{more} · "
                          "lift one with `/agentops unsilence &lt;fingerprint&gt;`"))
    return text, blocks
