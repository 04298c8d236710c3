"""Post-mortems in the state store: one per incident (its key), drafted once however many replicas resolve
it, decided once (a compare-and-set from draft), and read back by every replica's knowledge index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.records import Postmortem, from_row
from bot.store.tables import postmortems

DECISIONS = ("published", "discarded")


class PostmortemStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def draft(self, incident_id: str, file_name: str, markdown: str, drafted_by: str, now: datetime) -> bool:
        """Store the draft; False when the incident already has a post-mortem (another replica drafted it)."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(postmortems).values(
                    incident_id=incident_id, file_name=file_name[:120], markdown=markdown.replace("\x00", ""),
                    drafted_by=drafted_by, drafted_at=naive_utc(now), status="draft"))
        except IntegrityError:
            return False
        return True

    def get(self, incident_id: str) -> Postmortem | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(postmortems).where(postmortems.c.incident_id == incident_id)).mappings().first()
        return from_row(Postmortem, row) if row else None

    def set_post(self, incident_id: str, channel: str, ts: str) -> None:
        """The draft's message in the thread: a click is honoured only on it."""
        with self._engine.begin() as conn:
            conn.execute(update(postmortems).where(postmortems.c.incident_id == incident_id)
                         .values(slack_channel=channel, slack_ts=ts))

    def unposted(self, drafted_before: datetime, limit: int) -> list[Postmortem]:
        """Drafts whose message never reached the thread (the post failed, or the replica stopped first), oldest
        first; only those drafted before `drafted_before`, so a draft still being posted is left to its poster."""
        query = (select(postmortems).where(postmortems.c.status == "draft", postmortems.c.slack_ts.is_(None),
                                           postmortems.c.drafted_at <= naive_utc(drafted_before))
                 .order_by(postmortems.c.drafted_at, postmortems.c.incident_id).limit(limit))
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(Postmortem, r) for r in rows]

    def decide(self, incident_id: str, decision: str, user: str, now: datetime) -> bool:
        """Publish or discard a draft; False when it was decided already (the first click wins)."""
        if decision not in DECISIONS:
            raise ValueError(f"a post-mortem is published or discarded, not {decision!r}")
        with self._engine.begin() as conn:
            done = conn.execute(update(postmortems).where(postmortems.c.incident_id == incident_id,
                                                          postmortems.c.status == "draft")
                                .values(status=decision, decided_by=user[:40], decided_at=naive_utc(now)))
        return done.rowcount == 1

    def published(self) -> list[Postmortem]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(postmortems).where(postmortems.c.status == "published")
                                .order_by(postmortems.c.decided_at, postmortems.c.incident_id)).mappings().all()
        return [from_row(Postmortem, r) for r in rows]

    def published_version(self) -> tuple[int, str]:
        """Changes whenever a post-mortem is published (none is ever unpublished): how a replica's knowledge
        index knows to reload, with one cheap query."""
        query = select(func.count(), func.max(postmortems.c.decided_at)).where(postmortems.c.status == "published")
        with self._engine.connect() as conn:
            count, latest = conn.execute(query).one()
        return int(count), str(latest)
