"""The read queries behind the measures of the bot (bot/analytics/stats.py): incidents posted in a window
with what their alerts and investigations add, and finished investigations. Read-only; every value is a
bound parameter."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, case, false, func, select

from bot.clock import aware_utc, naive_utc
from bot.store.tables import alerts, incident_alerts, incidents, investigations


@dataclass(frozen=True)
class IncidentFacts:
    """One incident with the times and sums the measures need (times aware UTC)."""

    incident_id: str
    alert_type: str
    status: str
    breach_started_at: datetime
    detected_at: datetime
    diagnosed_at: datetime | None
    acted_at: datetime | None
    resolved_at: datetime | None
    escalated_at: datetime | None
    actions: list
    alerts: int  # the alerts of its post
    not_problem: int  # of those, marked "Not a problem"
    first_ack_at: datetime | None  # the earliest Acknowledge on any of its alerts
    first_click_at: datetime | None  # the earliest Investigate click (an investigation a person started)
    cost_usd: float  # every investigation of its alerts


@dataclass(frozen=True)
class InvestigationFacts:
    finished_at: datetime
    engine: str | None
    fallback_reason: str | None
    cost_usd: float
    confidence: float | None


def _aware(value: datetime | None) -> datetime | None:
    return aware_utc(value) if value is not None else None


class AnalyticsQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def incidents_posted(self, since: datetime, until: datetime,
                         excluded_types: Collection[str] = ()) -> list[IncidentFacts]:
        """Incidents whose alert was posted in [since, until), oldest first."""
        window = and_(incidents.c.detected_at >= naive_utc(since), incidents.c.detected_at < naive_utc(until))
        if excluded_types:
            window = and_(window, incidents.c.alert_type.not_in(list(excluded_types)))
        members = (select(incident_alerts.c.incident_id,
                          func.count().label("alerts"),
                          func.count(alerts.c.not_problem_at).label("not_problem"),
                          func.min(alerts.c.acked_at).label("first_ack_at"))
                   .join(alerts, alerts.c.alert_id == incident_alerts.c.alert_id)
                   .group_by(incident_alerts.c.incident_id).subquery())
        clicked = case((investigations.c.auto == false(), investigations.c.started_at))
        spent = (select(incident_alerts.c.incident_id,
                        func.min(clicked).label("first_click_at"),
                        func.sum(investigations.c.cost_usd).label("cost_usd"))
                 .join(investigations, investigations.c.alert_id == incident_alerts.c.alert_id)
                 .group_by(incident_alerts.c.incident_id).subquery())
        query = (select(incidents, members.c.alerts, members.c.not_problem, members.c.first_ack_at,
                        spent.c.first_click_at, spent.c.cost_usd)
                 .outerjoin(members, members.c.incident_id == incidents.c.incident_id)
                 .outerjoin(spent, spent.c.incident_id == incidents.c.incident_id)
                 .where(window).order_by(incidents.c.detected_at, incidents.c.id))
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [IncidentFacts(
            incident_id=r["incident_id"], alert_type=r["alert_type"], status=r["status"],
            breach_started_at=aware_utc(r["breach_started_at"]), detected_at=aware_utc(r["detected_at"]),
            diagnosed_at=_aware(r["diagnosed_at"]), acted_at=_aware(r["acted_at"]),
            resolved_at=_aware(r["resolved_at"]), escalated_at=_aware(r["escalated_at"]), actions=r["actions"],
            alerts=r["alerts"] or 0, not_problem=r["not_problem"] or 0, first_ack_at=_aware(r["first_ack_at"]),
            first_click_at=_aware(r["first_click_at"]), cost_usd=float(r["cost_usd"] or 0.0)) for r in rows]

    def investigations_finished(self, since: datetime, until: datetime) -> list[InvestigationFacts]:
        """Investigations that finished with a diagnosis (status done) in [since, until)."""
        query = (select(investigations.c.finished_at, investigations.c.engine, investigations.c.fallback_reason,
                        investigations.c.cost_usd, investigations.c.diagnosis)
                 .where(investigations.c.status == "done",
                        investigations.c.finished_at >= naive_utc(since),
                        investigations.c.finished_at < naive_utc(until))
                 .order_by(investigations.c.finished_at, investigations.c.id))
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [InvestigationFacts(aware_utc(r["finished_at"]), r["engine"], r["fallback_reason"],
                                   float(r["cost_usd"] or 0.0), _confidence(r["diagnosis"])) for r in rows]


def _confidence(diagnosis: object) -> float | None:
    value = diagnosis.get("confidence") if isinstance(diagnosis, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
