"""Approval requests and their one-and-only decision.

A decision is an insert into approval_decisions, whose primary key is the request id: of any
number of concurrent clicks on any number of replicas, exactly one insert commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import aware_utc, naive_utc
from bot.store.action_runs import ActionRuns
from bot.store.records import Approval, from_row
from bot.store.tables import approval_decisions, approvals


class DecisionOutcome(StrEnum):
    DECIDED = "decided"
    ALREADY_DECIDED = "already_decided"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DecisionResult:
    outcome: DecisionOutcome
    approval: Approval | None


class ApprovalStore(ActionRuns):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def request(self, *, action: str, target: str, reason: str, proposed_by: str, requested_by: str,
                now: datetime, timeout: timedelta, investigation_id: str | None = None,
                alert_id: str | None = None, environment: str | None = None,
                approvals_needed: int = 1) -> Approval:
        # the id travels in a button value: unguessable, so a forged click names nothing
        request_id = secrets.token_urlsafe(18)
        with self._engine.begin() as conn:
            conn.execute(insert(approvals).values(
                request_id=request_id, action=action, target=target, reason=reason,
                proposed_by=proposed_by, requested_by=requested_by, investigation_id=investigation_id,
                alert_id=alert_id, requested_at=naive_utc(now), expires_at=naive_utc(now + timeout),
                status="pending", environment=environment, approvals_needed=approvals_needed))
        return self.get(request_id)  # type: ignore[return-value]

    def get(self, request_id: str) -> Approval | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(approvals).where(approvals.c.request_id == request_id)).mappings().first()
        return from_row(Approval, row) if row else None

    def record_post(self, request_id: str, channel: str, ts: str, thread_ts: str | None = None) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(approvals).where(approvals.c.request_id == request_id)
                         .values(slack_channel=channel, slack_ts=ts, slack_thread_ts=thread_ts))

    def pending(self) -> list[Approval]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(approvals).where(approvals.c.status == "pending")
                                .order_by(approvals.c.requested_at)).mappings().all()
        return [from_row(Approval, r) for r in rows]

    def decide(self, request_id: str, decision: str, decided_by: str, now: datetime) -> DecisionResult:
        """Record `decision` ('approved' | 'denied') once. Expiry is enforced here, at click time."""
        if decision not in ("approved", "denied"):
            raise ValueError(f"decision must be approved or denied, not {decision!r}")
        current = self.get(request_id)
        if current is None:
            return DecisionResult(DecisionOutcome.UNKNOWN, None)
        if current.status != "pending":
            return DecisionResult(DecisionOutcome.ALREADY_DECIDED, current)
        if now >= current.expires_at:
            if not self.expire(request_id, now):  # the expiry job (or a decision) closed it first
                return DecisionResult(DecisionOutcome.ALREADY_DECIDED, self.get(request_id))
            return DecisionResult(DecisionOutcome.EXPIRED, self.get(request_id))
        if not self._insert_decision(request_id, decision, decided_by, now):
            return DecisionResult(DecisionOutcome.ALREADY_DECIDED, self.get(request_id))
        return DecisionResult(DecisionOutcome.DECIDED, self.get(request_id))

    def expire(self, request_id: str, now: datetime) -> bool:
        """Close a pending request as expired; False when it was decided first."""
        return self._insert_decision(request_id, "expired", "agentops", now)

    def expire_due(self, now: datetime) -> list[Approval]:
        """Expire every pending request past its deadline; returns the ones this call expired."""
        due = [a for a in self.pending() if aware_utc(a.expires_at) <= now]
        return [self.get(a.request_id) for a in due if self.expire(a.request_id, now)]  # type: ignore[misc]

    def for_alert(self, alert_id: str) -> list[Approval]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(approvals).where(approvals.c.alert_id == alert_id)
                                .order_by(approvals.c.requested_at, approvals.c.id)).mappings().all()
        return [from_row(Approval, r) for r in rows]

    def of(self, alert_ids: Collection[str], investigation_ids: Collection[str]) -> list[Approval]:
        """The requests of these alerts or investigations (an incident's, or a free-text investigation's)."""
        query = select(approvals).where(or_(approvals.c.alert_id.in_(list(alert_ids)),
                                            approvals.c.investigation_id.in_(list(investigation_ids))))
        with self._engine.connect() as conn:
            rows = conn.execute(query.order_by(approvals.c.requested_at, approvals.c.id)).mappings().all()
        return [from_row(Approval, r) for r in rows]

    def _insert_decision(self, request_id: str, decision: str, decided_by: str, now: datetime) -> bool:
        moment = naive_utc(now)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(approval_decisions).values(
                    request_id=request_id, decision=decision, decided_by=decided_by, decided_at=moment))
                conn.execute(update(approvals).where(approvals.c.request_id == request_id)
                             .values(status=decision, decided_by=decided_by, decided_at=moment))
        except IntegrityError:
            return False
        return True
