"""Acknowledgements and escalation claims: who acknowledged an alert post first, and which escalation
steps were claimed, by whom, and how their page went.

Each step's row is inserted before anything is paged: the (subject, step) key lets exactly one replica
page for it, and a step is never paged twice, even after a failure (it is audited and shown instead). A
PagerDuty follow-up (acknowledge, resolve) is retried as a new row per attempt (`<event>#<n>`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.incidents import OPEN_STATUSES
from bot.store.records import EscalationStep, Incident, from_row
from bot.store.tables import alerts, escalation_steps, incidents

DETAIL_LENGTH = 2000


class EscalationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # acknowledgements ----------------------------------------------------------------------------

    def acknowledge(self, alert_ids: list[str], user: str, now: datetime, since: datetime | None = None) -> bool:
        """Acknowledge a post's alerts (the lead first); False when someone else did already. `since`: an
        acknowledgement older than it (an escalation that began later) can be renewed."""
        moment, lead = naive_utc(now), alert_ids[0]
        # a renewal moves acked_at (the chain checks it); the first acknowledgement stays for the measures
        first = func.coalesce(alerts.c.first_acked_at, moment)
        unacked: ColumnElement[bool] = alerts.c.acked_at.is_(None)
        if since is not None:
            unacked = or_(unacked, alerts.c.acked_at < naive_utc(since))
        with self._engine.begin() as conn:
            # one row decides (no two replicas can each win part of the group)
            won = conn.execute(update(alerts).where(alerts.c.alert_id == lead, unacked)
                                   .values(acked_by=user, acked_at=moment, first_acked_at=first)).rowcount
            if won != 1:
                return False
            if len(alert_ids) > 1:
                conn.execute(update(alerts).where(alerts.c.alert_id.in_(alert_ids[1:]))
                             .values(acked_by=user, acked_at=moment, first_acked_at=first))
        return True

    # escalation steps ----------------------------------------------------------------------------

    def claim(self, *, subject: str, step: str, channel: str, fingerprint: str, replica: str,
              now: datetime) -> bool:
        """The right to page for one step; exactly one caller gets True."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(escalation_steps).values(
                    subject=subject, step=step, channel=channel, fingerprint=fingerprint[:200],
                    claimed_by=replica[:80], claimed_at=naive_utc(now), outcome="claimed"))
        except IntegrityError:
            return False
        return True

    def reclaim(self, *, subject: str, step: str, replica: str, now: datetime, stale_before: datetime) -> bool:
        """A step claimed by a replica that died before paging (still `claimed`, its claim older than
        `stale_before`): taken over by one caller, so it is not lost."""
        with self._engine.begin() as conn:
            taken = conn.execute(update(escalation_steps).where(
                escalation_steps.c.subject == subject, escalation_steps.c.step == step,
                escalation_steps.c.outcome == "claimed", escalation_steps.c.claimed_at < naive_utc(stale_before),
            ).values(claimed_by=replica[:80], claimed_at=naive_utc(now))).rowcount
        return taken == 1

    def finish(self, subject: str, step: str, outcome: str, detail: str = "") -> None:
        with self._engine.begin() as conn:
            conn.execute(update(escalation_steps).where(escalation_steps.c.subject == subject,
                                                        escalation_steps.c.step == step)
                         .values(outcome=outcome, detail=detail.replace("\x00", "")[:DETAIL_LENGTH]))

    def steps(self, subject: str) -> list[EscalationStep]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(escalation_steps).where(escalation_steps.c.subject == subject)
                                .order_by(escalation_steps.c.id)).mappings().all()
        return [from_row(EscalationStep, r) for r in rows]

    def paged(self, channel: str, attempts: int) -> list[EscalationStep]:
        """Steps sent on `channel` (numbered steps only) whose subject is not resolved there yet (no resolve
        sent or skipped, and fewer than `attempts` tried): the pages that still follow their alert."""
        closed = escalation_steps.alias("closed")
        resolve = f"{channel}:resolve"
        query = (select(escalation_steps).outerjoin(closed, and_(
            closed.c.subject == escalation_steps.c.subject,
            or_(and_(or_(closed.c.step == resolve, closed.c.step.like(f"{resolve}#%")),
                     closed.c.outcome.in_(("sent", "skipped"))),
                closed.c.step == f"{resolve}#{attempts}")))
            .where(escalation_steps.c.channel == channel, escalation_steps.c.outcome == "sent",
                   ~escalation_steps.c.step.like(f"{channel}:%"), closed.c.id.is_(None))
            .order_by(escalation_steps.c.id))
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(EscalationStep, r) for r in rows]

    def open_incidents(self) -> list[Incident]:
        """Incidents still open whose alert post exists: the ones an escalation chain can be running for."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(incidents).where(incidents.c.status.in_(OPEN_STATUSES),
                                                        incidents.c.slack_ts.is_not(None))
                                .order_by(incidents.c.id)).mappings().all()
        return [from_row(Incident, r) for r in rows]
