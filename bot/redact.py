"""Secrets out of every string a person or the store will see: log lines, Slack text, stored
messages, CLI errors. Upstream errors sometimes echo what they were sent (a URL with a password,
a rejected token), so their text is redacted where it enters the bot, not only where it is logged."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"
# shorter values would mask ordinary words; real tokens and passwords are longer
MIN_SECRET_LENGTH = 6


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # longest first, so a secret that contains another is masked whole
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def deep(self, value: object) -> object:
        """Every string inside a JSON-like value (Block Kit blocks, a payload) redacted."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        return value


NO_SECRETS = Redactor()
