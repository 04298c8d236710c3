"""Incidents: one per alert post (the alerts of one component that fire together, like Alertmanager's
group_by), moved through its lifecycle by compare-and-set, with SPEC §6's timings.

open (alert posted) → investigating → awaiting_approval → remediating → resolved | escalated.
Escalated means "people must act": it stays open, and still resolves when the alert clears.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import naive_utc
from bot.store.records import Incident, from_row
from bot.store.tables import incident_alerts, incidents

OPEN_STATUSES = ("open", "investigating", "awaiting_approval", "remediating", "escalated")


class IncidentStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, *, alert_ids: list[str], fingerprint: str, alert_type: str, severity: str, component: str,
             breach_started_at: datetime, now: datetime, slack_channel: str | None = None,
             slack_ts: str | None = None) -> Incident:
        """The incident of a group of alerts posted together, opened once whoever asks first: the lead
        (first) alert's id is unique, and so is each alert's place in a group."""
        for _ in range(8):  # a day's ids have 65,536 suffixes: one already taken is drawn again
            incident_id = f"INC-{now:%Y-%m%d}-{secrets.token_hex(2).upper()}"
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(incidents).values(
                        incident_id=incident_id, alert_id=alert_ids[0], fingerprint=fingerprint,
                        alert_type=alert_type, severity=severity, component=component, status="open",
                        breach_started_at=naive_utc(breach_started_at), detected_at=naive_utc(now), actions=[],
                        slack_channel=slack_channel, slack_ts=slack_ts))
                    conn.execute(insert(incident_alerts), [{"alert_id": a, "incident_id": incident_id}
                                                           for a in alert_ids])
            except IntegrityError:  # the transaction left nothing half-written
                found = self.for_alert(alert_ids[0])
                if found is None and self.get(incident_id) is not None:
                    continue  # another incident has this id: draw again
                return found  # type: ignore[return-value]  # already open (None: its alerts are another's)
            return self.for_alert(alert_ids[0])  # type: ignore[return-value]
        raise RuntimeError(f"no free incident id for {now:%Y-%m-%d} after 8 draws")

    def join(self, incident_id: str, alert_id: str) -> None:
        """A later alert of the same notification group joins the group's incident (once)."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(incident_alerts).values(alert_id=alert_id, incident_id=incident_id))
        except IntegrityError:
            pass  # already a member

    def for_alert(self, alert_id: str) -> Incident | None:
        """The incident any alert of its group belongs to."""
        query = (select(incidents).join(incident_alerts, incident_alerts.c.incident_id == incidents.c.incident_id)
                 .where(incident_alerts.c.alert_id == alert_id))
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return from_row(Incident, row) if row else None

    def alert_ids(self, incident_id: str) -> list[str]:
        """Every alert of the incident's group, the lead first."""
        with self._engine.connect() as conn:
            lead = conn.execute(select(incidents.c.alert_id).where(incidents.c.incident_id == incident_id)).scalar()
            rest = conn.execute(select(incident_alerts.c.alert_id).where(incident_alerts.c.incident_id == incident_id)
                                .order_by(incident_alerts.c.alert_id)).scalars().all()
        return [lead, *[a for a in rest if a != lead]] if lead else []

    def get(self, incident_id: str) -> Incident | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(incidents).where(incidents.c.incident_id == incident_id)).mappings().first()
        return from_row(Incident, row) if row else None

    def advance(self, incident_id: str, status: str, *, from_statuses: tuple[str, ...] = OPEN_STATUSES,
                **values: object) -> bool:
        """Compare-and-set the status (plus any columns given); False when it was elsewhere already.
        `escalated_at` keeps the first escalation's time: the escalation rate counts incidents, not moves."""
        stored: dict[str, object] = {k: naive_utc(v) if isinstance(v, datetime) else v for k, v in values.items()}
        if "escalated_at" in stored:
            stored["escalated_at"] = func.coalesce(incidents.c.escalated_at, stored["escalated_at"])
        with self._engine.begin() as conn:
            done = conn.execute(update(incidents).where(incidents.c.incident_id == incident_id,
                                                        incidents.c.status.in_(from_statuses))
                                .values(status=status, **stored))
        return done.rowcount == 1

    def mark_acted(self, incident_id: str, now: datetime) -> None:
        """The first approved action's start: time to act ends here (later actions leave it)."""
        with self._engine.begin() as conn:
            conn.execute(update(incidents).where(incidents.c.incident_id == incident_id,
                                                 incidents.c.acted_at.is_(None)).values(acted_at=naive_utc(now)))

    def add_action(self, incident_id: str, action: str, status: str, details: str, now: datetime,
                   request_id: str | None = None) -> None:
        """One entry per approval request (named by `request_id`): recorded again — an outcome verified
        again after its first recording half failed — it replaces the earlier entry instead of adding one."""
        with self._engine.begin() as conn:
            query = select(incidents.c.actions).where(incidents.c.incident_id == incident_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()  # two actions finishing at once both land
            current = conn.execute(query).scalar_one()
            entry = {"action": action, "status": status, "details": details, "at": naive_utc(now).isoformat()}
            if request_id is not None:
                entry["request_id"] = request_id
                current = [e for e in current if e.get("request_id") != request_id]
            conn.execute(update(incidents).where(incidents.c.incident_id == incident_id)
                         .values(actions=[*current, entry]))

    def set_github_issue(self, incident_id: str, number: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(incidents).where(incidents.c.incident_id == incident_id).values(github_issue=number))

    def resolved_unrecorded(self) -> list[Incident]:
        """Resolved incidents whose INCIDENTS row is not yet in the warehouse (it was down, say)."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(incidents).where(incidents.c.status == "resolved",
                                                        incidents.c.warehouse_recorded_at.is_(None))).mappings().all()
        return [from_row(Incident, r) for r in rows]

    def mark_recorded(self, incident_id: str, now: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(incidents).where(incidents.c.incident_id == incident_id)
                         .values(warehouse_recorded_at=naive_utc(now)))

    def recent(self, limit: int = 10) -> list[Incident]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(incidents).order_by(incidents.c.detected_at.desc())
                                .limit(limit)).mappings().all()
        return [from_row(Incident, r) for r in rows]

    def of_fingerprint(self, fingerprint: str) -> list[Incident]:
        """Every incident of one fingerprint, oldest first: an alert that fired again has one per post."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(incidents).where(incidents.c.fingerprint == fingerprint)
                                .order_by(incidents.c.detected_at, incidents.c.id)).mappings().all()
        return [from_row(Incident, r) for r in rows]
