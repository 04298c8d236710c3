"""An approved action's run as a durable claim on its approval row.

One replica claims it (compare-and-set) and holds a lease of seconds it keeps renewing. What it has
sent the ML service is written down before it is sent — the phase, then the training run's id or the
version a rollback should leave serving — so when a lease lapses (the replica died) another replica
takes the claim over and verifies the action from the service's own state rather than redoing it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Engine, and_, or_, select, update

from bot.clock import naive_utc
from bot.store.tables import approvals

if TYPE_CHECKING:
    from bot.store.records import Approval

DEFAULT_LEASE = timedelta(seconds=30)


class ActionRuns:
    """Mixed into the approval store: the run half of an approval's row."""

    _engine: Engine

    def get(self, request_id: str) -> Approval | None:  # provided by the approval store
        raise NotImplementedError

    def claim_action(self, request_id: str, now: datetime, replica: str = "", lease: timedelta = DEFAULT_LEASE) -> bool:
        """The approved action runs once: only the caller that flips its status from none to running may run it."""
        return self._set(and_(approvals.c.status == "approved", approvals.c.action_status.is_(None)),
                         request_id, action_status="running", action_started_at=naive_utc(now),
                         action_claimed_by=replica, action_lease_until=naive_utc(now + lease), action_phase="claimed")

    def unclaimed(self, now: datetime, decided_before: timedelta) -> list[str]:
        """Approved, never started, decided longer ago than a live replica takes to claim: its replica died."""
        query = select(approvals.c.request_id).where(
            approvals.c.status == "approved", approvals.c.action_status.is_(None),
            approvals.c.decided_at < naive_utc(now - decided_before)).order_by(approvals.c.decided_at)
        with self._engine.connect() as conn:
            return list(conn.execute(query).scalars().all())

    def lapsed(self, now: datetime, unleased_after: timedelta) -> list[str]:
        """Running actions whose lease nobody renewed. A row claimed by a bot from before leases has none: it
        counts as lapsed `unleased_after` its start (longer than it could legitimately run)."""
        moment = naive_utc(now)
        query = select(approvals.c.request_id).where(approvals.c.action_status == "running", or_(
            approvals.c.action_lease_until < moment,
            and_(approvals.c.action_lease_until.is_(None), approvals.c.action_claimed_by.is_(None),
                 approvals.c.action_started_at < moment - unleased_after)))
        with self._engine.connect() as conn:
            return list(conn.execute(query).scalars().all())

    def take_over(self, request_id: str, now: datetime, replica: str, lease: timedelta) -> Approval | None:
        """Claim a lapsed run for `replica`; None when it was renewed, finished or taken over meanwhile.
        The caller excludes the runs alive in its own process (bot/remediation/lease.py `running_here`): a
        lapsed claim under its own name is one whose close failed, and it is taken over like any other."""
        current = self.get(request_id)
        if current is None or current.action_status != "running":
            return None
        if current.action_lease_until is not None and current.action_lease_until >= now:
            return None
        if current.action_lease_until is None and current.action_claimed_by is not None:
            return None  # not lapsed: its holder is closing it (finish_action clears the lease)
        # compare-and-set on the holder and lease this replica saw: of replicas racing, one wins
        seen = approvals.c.action_lease_until.is_(None) if current.action_lease_until is None else \
            approvals.c.action_lease_until == naive_utc(current.action_lease_until)
        held = approvals.c.action_claimed_by.is_(None) if current.action_claimed_by is None else \
            approvals.c.action_claimed_by == current.action_claimed_by
        if not self._set(and_(approvals.c.action_status == "running", seen, held), request_id,
                         action_claimed_by=replica, action_lease_until=naive_utc(now + lease)):
            return None
        return self.get(request_id)

    def renew(self, request_id: str, replica: str, now: datetime, lease: timedelta) -> bool:
        """The heartbeat; False when this replica no longer holds the claim (it lapsed and was taken over)."""
        return self._set(self._held_by(replica), request_id, action_lease_until=naive_utc(now + lease))

    def release(self, request_id: str, replica: str, now: datetime) -> bool:
        """Let the claim lapse at once (its outcome could not be recorded): the next takeover pass, on any
        replica including this one, verifies it again and records it."""
        return self._set(self._held_by(replica), request_id, action_claimed_by=None,
                         action_lease_until=naive_utc(now))

    def about_to_send(self, request_id: str, replica: str, *, expected: str | None = None) -> bool:
        """Written before the write goes to the ML service: from here on, a replica taking over verifies."""
        return self._set(self._held_by(replica), request_id, action_phase="requested", action_expected=expected)

    def started_run(self, request_id: str, replica: str, run_id: str) -> bool:
        return self._set(self._held_by(replica), request_id, action_run_id=run_id[:80])

    def record_progress(self, request_id: str, replica: str, channel: str, ts: str) -> bool:
        """Where the action's progress is shown, so a replica taking over edits that message; by its holder
        only (False otherwise), so a replica it was taken from never points it at its own message."""
        return self._set(self._held_by(replica), request_id, action_progress_channel=channel,
                         action_progress_ts=ts)

    def finish_action(self, request_id: str, status: str, details: str, now: datetime,
                      replica: str | None = None) -> bool:
        """Close a running action once (by its holder, when named); False when it was closed already."""
        if status not in ("completed", "failed"):
            raise ValueError(f"an action ends completed or failed, not {status!r}")
        condition = self._held_by(replica) if replica is not None else approvals.c.action_status == "running"
        return self._set(condition, request_id, action_status=status, action_details=details[:2000],
                         action_finished_at=naive_utc(now), action_lease_until=None)

    @staticmethod
    def _held_by(replica: str) -> ColumnElement[bool]:
        return and_(approvals.c.action_status == "running", approvals.c.action_claimed_by == replica)

    def _set(self, condition: ColumnElement[bool], request_id: str, **values: object) -> bool:
        with self._engine.begin() as conn:
            done = conn.execute(update(approvals).where(approvals.c.request_id == request_id, condition)
                                .values(**values))
        return done.rowcount == 1
