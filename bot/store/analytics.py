"""The read queries behind the measures of the bot (bot/analytics/stats.py): incidents posted in a window
with what their alerts and investigations add, and finished investigations. Read-only; every value is a
bound parameter."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, case, false, func, select

from bot.clock import aware_utc, naive_utc
from bot.store.records import Incident, from_row
from bot.store.tables import alerts, incident_alerts, incidents, investigations


@dataclass(frozen=True)
class IncidentFacts(Incident):
    """An incident with what its alerts and investigations add to the measures (times aware UTC)."""

    alerts: int = 0  # the alerts of its post
    not_problem: int = 0  # of those, marked "Not a problem"
    first_ack_at: datetime | None = None  # the earliest Acknowledge on any of its alerts
    first_click_at: datetime | None = None  # the earliest Investigate click (an investigation a person started)
    cost_usd: float = 0.0  # every investigation of its alerts


@dataclass(frozen=True)
class InvestigationFacts:
    finished_at: datetime
    engine: str | None
    fallback_reason: str | None
    cost_usd: float
    confidence: float | None


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
                          func.min(alerts.c.first_acked_at).label("first_ack_at"))
                   .join(alerts, alerts.c.alert_id == incident_alerts.c.alert_id)
                   .group_by(incident_alerts.c.incident_id).subquery())
        clicked = case((investigations.c.auto == false(), investigations.c.started_at))
        spent = (select(incident_alerts.c.incident_id,
                        func.min(clicked).label("first_click_at"),
                        func.sum(investigations.c.cost_usd).label("cost_usd"))
                 .join(investigations, investigations.c.alert_id == incident_alerts.c.alert_id)
                 .group_by(incident_alerts.c.incident_id).subquery())
        query = (select(incidents, func.coalesce(members.c.alerts, 0).label("alerts"),
                        func.coalesce(members.c.not_problem, 0).label("not_problem"), members.c.first_ack_at,
                        spent.c.first_click_at, func.coalesce(spent.c.cost_usd, 0.0).label("cost_usd"))
                 .outerjoin(members, members.c.incident_id == incidents.c.incident_id)
                 .outerjoin(spent, spent.c.incident_id == incidents.c.incident_id)
                 .where(window).order_by(incidents.c.detected_at, incidents.c.id))
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(IncidentFacts, r) for r in rows]

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
