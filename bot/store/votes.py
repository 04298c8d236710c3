"""Approvals counted one per person: a vote is an insert whose primary key is (request, approver), so
the same person twice, on any replicas, is one vote; the request's `votes` column mirrors the rows,
written by one voter at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.tables import approval_votes, approvals


class ApprovalVotes:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def vote(self, request_id: str, user: str, now: datetime) -> list[str] | None:
        """Record `user`'s approval; every voter so far, in order — or None when they had already voted."""
        try:
            with self._engine.begin() as conn:
                # voters on one request take turns (the request's row locked; SQLite has one writer anyway):
                # under READ COMMITTED two voters each reading the rows without the other's would each write
                # a `votes` missing the other
                conn.execute(select(approvals.c.request_id).where(approvals.c.request_id == request_id)
                             .with_for_update())
                conn.execute(insert(approval_votes).values(request_id=request_id, user_id=user[:40],
                                                           voted_at=naive_utc(now)))
                voters = self._voters(conn, request_id)
                conn.execute(update(approvals).where(approvals.c.request_id == request_id)
                             .values(votes=",".join(voters)[:400]))
        except IntegrityError:
            return None
        # read again after commit: a vote committed meanwhile on another replica counts too
        return self.voters(request_id)

    def voters(self, request_id: str) -> list[str]:
        with self._engine.connect() as conn:
            return self._voters(conn, request_id)

    @staticmethod
    def _voters(conn: Connection, request_id: str) -> list[str]:
        rows = conn.execute(select(approval_votes.c.user_id).where(approval_votes.c.request_id == request_id)
                            .order_by(approval_votes.c.voted_at, approval_votes.c.user_id)).all()
        return [r[0] for r in rows]
