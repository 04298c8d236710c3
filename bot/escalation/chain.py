"""Escalation chains: what the policy pages for (an alert post, or an incident escalated to people), named
by a subject that keys its steps in the store and its PagerDuty alert.

A post walks the route of the severity it was posted with. An alert joining it later with a higher
severity (a critical alert in a warning post) starts a raised chain of its own on that severity's route,
from when it joined: an acknowledgement from before then covered a lesser alert, so it does not stop it.
An alert of the post's severity or lower joining later is covered by the post's acknowledgement.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bot.rules import SEVERITY_ORDER
from bot.store import Store
from bot.store.escalations import EscalationStore
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
    route: str = ""  # the severity whose route it walks; "": its most severe firing alert's
    raised: bool = False  # a raised chain: for the post's alerts of `route` severity and above

    @property
    def severity(self) -> str:
        firing = [a.severity for a in self.alerts if a.status == "firing"] or [self.incident.severity]
        return self.route or max(firing, key=_rank)

    @property
    def acknowledged(self) -> bool:
        return any(a.acked_at is not None and a.acked_at >= self.started_at for a in self.alerts)

    @property
    def cleared(self) -> bool:
        covered = [a for a in self.alerts if not self.raised or _rank(a.severity) >= _rank(self.route)]
        return self.incident.status == "resolved" or all(a.status == "resolved" for a in covered)


def post_subject(incident_id: str) -> str:
    return f"post:{incident_id}"


def escalated_subject(incident_id: str) -> str:
    return f"escalated:{incident_id}"


def raised_subject(incident_id: str, severity: str) -> str:
    return f"post:{incident_id}:{severity}"


def incident_of(subject: str) -> str:
    """The incident a chain's subject names (`post:<incident>`, `post:<incident>:<severity>`, `escalated:…`)."""
    return subject.split(":", 2)[1]


def raised_of(subject: str) -> str:
    """The severity of a raised chain's subject ("" for any other)."""
    parts = subject.split(":", 2)
    return parts[2] if len(parts) == 3 else ""


def raised_severity(incident: Incident, alerts: list[StoredAlert]) -> str:
    """The severity of the post's firing alerts, when above the one it was posted with ("" when not)."""
    top = max((a.severity for a in alerts if a.status == "firing"), key=_rank, default="")
    return top if top and _rank(top) > _rank(incident.severity) else ""


def raised_since(incident: Incident, alerts: list[StoredAlert], severity: str, first_seen: datetime) -> datetime:
    """When the post's first alert of `severity` joined it; when the engine first saw the raise if that is
    not known (an alert whose own severity rose)."""
    joined = min((a.first_seen_at for a in alerts if a.severity == severity), default=None)
    return joined if joined is not None and joined > incident.detected_at else first_seen


async def post_alerts(store: Store, incident_id: str) -> list[StoredAlert]:
    """The alerts of an incident's post, the lead first."""
    ids = await asyncio.to_thread(store.incidents.alert_ids, incident_id)
    return [a for a in [await asyncio.to_thread(store.alerts.get, i) for i in ids] if a is not None]


async def start_of(store: EscalationStore, subject: str) -> datetime | None:
    """When the engine first saw the chain (its `start` row), if it has."""
    rows = await asyncio.to_thread(store.steps, subject)
    return next((r.claimed_at for r in rows if r.step == START), None)


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.get(severity, 0)
