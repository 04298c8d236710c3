"""The bot's track record, read from what the store already keeps: verified outcomes of the actions it
ran (approvals.action_status, by the request's environment) and people's 👍/👎 on its diagnoses (the
feedback table, joined to the alert post whose thread the diagnosis is in)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import Engine, and_, func, select

from bot.store.tables import alerts, approvals, feedback


class TrackRecords:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def outcomes(self) -> dict[tuple[str, str], int]:
        """(environment, completed | failed) → verified actions."""
        query = (select(approvals.c.environment, approvals.c.action_status, func.count())
                 .where(approvals.c.action_status.in_(("completed", "failed")), approvals.c.environment.is_not(None))
                 .group_by(approvals.c.environment, approvals.c.action_status))
        with self._engine.connect() as conn:
            return {(env, status): n for env, status, n in conn.execute(query).all()}

    def diagnosis_votes(self, environment_of: Callable[[str], str]) -> dict[tuple[str, str], int]:
        """(environment, good | bad) → votes on diagnoses in alert threads (a post's component decides)."""
        query = (select(feedback.c.id, feedback.c.vote, alerts.c.component).distinct()
                 .select_from(feedback.join(alerts, and_(alerts.c.slack_channel == feedback.c.channel,
                                                         alerts.c.slack_ts == feedback.c.thread_ts)))
                 .where(feedback.c.kind == "diagnosis"))
        counted: Counter[tuple[str, str]] = Counter()
        seen: set[int] = set()
        with self._engine.connect() as conn:
            for vote_id, vote, component in conn.execute(query).all():
                if vote_id not in seen:  # one vote, even when the post carries several alerts
                    seen.add(vote_id)
                    counted[(environment_of(component), vote)] += 1
        return dict(counted)
