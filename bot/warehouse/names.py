"""What the warehouse says, made safe to key, store and show.

Its strings are data someone else wrote: a control character (a NUL, which PostgreSQL refuses in
text) becomes U+FFFD, visibly, and a model or pipeline name longer than the state store's
100-character column is shortened with a hash of the original, so two long names stay apart and
the same name always maps to the same fingerprint.
"""

from __future__ import annotations

import hashlib
import re

MAX_COMPONENT = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: str) -> str:
    """A warehouse string without control characters (tabs and newlines kept)."""
    return _CONTROL.sub("\ufffd", value)


def component_name(raw: object, limit: int = MAX_COMPONENT) -> str:
    """A model or pipeline name as the bot keys it: at most `limit` characters, no control
    characters; unchanged for every ordinary name."""
    text = str(raw)
    cleaned = clean_text(text).strip()
    if cleaned == text and len(text) <= limit:
        return text
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned[: limit - 10]}~{digest}"


def shown(raw: object, limit: int = 120) -> str:
    """The original name for a message, cut to `limit` with its full length said."""
    text = clean_text(str(raw))
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"
