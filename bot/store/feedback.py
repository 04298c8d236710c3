"""Feedback on what the bot wrote: one 👍 or 👎 per person and message, so diagnoses and answers can be
judged later (which investigator, which runbook) without anyone filling in a form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.tables import feedback

KINDS = {"diagnosis", "answer"}
VOTES = {"good", "bad"}


def _fit(text: str | None, length: int) -> str | None:
    return None if text is None else str(text).replace("\x00", "")[:length]


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, *, kind: str, channel: str, message_ts: str, thread_ts: str | None, user: str, vote: str,
               now: datetime) -> None:
        """A person's vote on a message; their second click replaces the first (the vote they see last)."""
        if kind not in KINDS or vote not in VOTES:
            raise ValueError(f"unknown feedback {kind!r}/{vote!r}")
        key = dict(channel=_fit(channel, 40), message_ts=_fit(message_ts, 40), user_id=_fit(user, 40))
        values = dict(kind=kind, vote=vote, at=naive_utc(now), thread_ts=_fit(thread_ts, 40))
        for _ in range(2):  # two replicas inserting the same vote at once: the loser updates instead
            try:
                with self._engine.begin() as conn:
                    changed = conn.execute(update(feedback).where(*(feedback.c[k] == v for k, v in key.items()))
                                           .values(**values)).rowcount
                    if not changed:
                        conn.execute(insert(feedback).values(**key, **values))
                return
            except IntegrityError:
                continue

    def votes(self, channel: str, message_ts: str) -> dict[str, int]:
        """{"good": n, "bad": m} for one message."""
        query = (select(feedback.c.vote, func.count()).where(feedback.c.channel == channel,
                                                             feedback.c.message_ts == message_ts)
                 .group_by(feedback.c.vote))
        with self._engine.connect() as conn:
            counted = {vote: n for vote, n in conn.execute(query).all()}
        return {vote: counted.get(vote, 0) for vote in sorted(VOTES, reverse=True)}
