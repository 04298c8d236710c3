"""Durations as people type them ("4h", "4 hours", "1h30m", "90m", "2d") and as they read them back.

The one parser for settings and silences. A person's duration needs a unit: "4" could mean four
seconds or four hours, and a silence that guesses wrong is worse than a refusal. Settings still take
bare seconds (REPEAT_INTERVAL=14400 has always worked), so the caller says which it is.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600,
         "hour": 3600, "d": 86400, "day": 86400, "w": 604800, "week": 604800}
_PART = re.compile(r"(\d+)\s*([a-z]+)")
_SEPARATORS = re.compile(r"[\s,]+|\band\b")
MAX_DIGITS = 9  # nine digits is 30 years of seconds; more overflows timedelta
EXAMPLES = "30m, 4h, 4 hours, 1h30m or 2d"


class DurationError(ValueError):
    """Not a duration; the message says what would be one."""


def _unit(word: str) -> int | None:
    word = word.lower()
    return UNITS.get(word) or (UNITS.get(word[:-1]) if word.endswith("s") and len(word) > 2 else None)


MAX_SECONDS = 100 * 365 * 86400  # a century: far past every bound, well inside timedelta's range


def parse_duration(value: object, *, bare_seconds: bool = False) -> timedelta:
    """'4h', '4 hours', '1h30m', '1 hour 30 minutes' → timedelta; a bare number only with `bare_seconds`."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and bare_seconds:
        return timedelta(seconds=value)
    text = str(value).strip().lower()
    if text.isascii() and text.isdigit():  # '²' is a digit to isdigit, and int() refuses it
        if bare_seconds and len(text) <= MAX_DIGITS:
            return timedelta(seconds=int(text))
        raise DurationError(f"a duration needs a unit: {text}m, {text}h or {text}d?")
    seconds, end = 0, 0
    for match in _PART.finditer(text):
        unit = _unit(match.group(2))
        if unit is None or len(match.group(1)) > MAX_DIGITS or _SEPARATORS.sub("", text[end:match.start()]):
            raise DurationError(f"expected a duration such as {EXAMPLES}")
        seconds, end = seconds + int(match.group(1)) * unit, match.end()
    if end == 0 or _SEPARATORS.sub("", text[end:]):
        raise DurationError(f"expected a duration such as {EXAMPLES}")
    if seconds > MAX_SECONDS:  # "999999999w" or many parts added up: past what a timedelta holds
        raise DurationError(f"that is longer than any duration AgentOps uses; try e.g. {EXAMPLES}")
    return timedelta(seconds=seconds)


def in_words(duration: timedelta) -> str:
    """timedelta(hours=1, minutes=30) → '1 hour 30 minutes'; the two largest units, rounded down."""
    left = int(duration.total_seconds())
    parts = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"
