"""Escalation chains: what the policy pages for (an alert post, or an incident escalated to people), named
by a subject that keys its steps in the store and its PagerDuty alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.rules import SEVERITY_ORDER
from bot.store.records import Incident, StoredAlert

START = "start"  # a chain's first row: when the engine first saw it (an escalated incident's chain begins there)


@dataclass(frozen=True)
class Chain:
    """One subject the policy pages for: an alert post, or an incident escalated to people."""

    subject: str
    incident: Incident
    alerts: list[StoredAlert]  # the post's alerts, the lead first
    started_at: datetime
    why: str
    first_seen: datetime | None = None  # the chain's `start` row: steps due well before it are not paged

    @property
    def severity(self) -> str:
        firing = [a.severity for a in self.alerts if a.status == "firing"] or [self.incident.severity]
        return max(firing, key=lambda s: SEVERITY_ORDER.get(s, 0))

    @property
    def acknowledged(self) -> bool:
        return any(a.acked_at is not None and a.acked_at >= self.started_at for a in self.alerts)

    @property
    def cleared(self) -> bool:
        return self.incident.status == "resolved" or all(a.status == "resolved" for a in self.alerts)


def post_subject(incident_id: str) -> str:
    return f"post:{incident_id}"


def escalated_subject(incident_id: str) -> str:
    return f"escalated:{incident_id}"


def incident_of(subject: str) -> str:
    """The incident a chain's subject names (`post:<incident>`, `escalated:<incident>`)."""
    return subject.split(":", 2)[1]
