"""From a sender's alert to the bot's Alert: which labels name the component, the alert type and the
severity (configurable, with defaults that fit Prometheus conventions), bounded like warehouse names,
so fingerprint = alert_type:component as for swept alerts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, cast

from bot.clock import aware_utc
from bot.config import Settings
from bot.ingest.payloads import AlertmanagerAlert, AlertmanagerNotification, GenericAlert, PayloadError
from bot.monitor.sweep import RUNBOOKS, Alert
from bot.warehouse.names import clean_text, component_name, shown

Severity = Literal["critical", "warning", "info"]
MAX_ALERT_TYPE = 40  # the store's alert_type column
DEFAULT_SEVERITIES: dict[str, Severity] = {
    "critical": "critical", "page": "critical", "error": "critical", "high": "critical", "p1": "critical",
    "fatal": "critical", "emergency": "critical", "warning": "warning", "warn": "warning", "medium": "warning",
    "p2": "warning", "info": "info", "informational": "info", "low": "info", "none": "info", "p3": "info"}
UNKNOWN_SEVERITY: Severity = "warning"  # a missing or unfamiliar severity is still shown, as a warning


@dataclass
class Ingested:
    """One notification: what fires and what resolved (fingerprints), and the group whose post they share."""

    group_key: str
    firing: dict[str, Alert] = field(default_factory=dict)
    resolved: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class LabelMap:
    component_labels: tuple[str, ...]
    alert_type_labels: tuple[str, ...]
    severity_label: str
    severities: dict[str, Severity]

    @classmethod
    def from_settings(cls, settings: Settings) -> LabelMap:
        # the setting's values are checked to be severities (bot/config.py)
        severities = DEFAULT_SEVERITIES | cast(dict[str, Severity], settings.ingest_severity_map)
        return cls(tuple(settings.ingest_component_labels), tuple(settings.ingest_alert_type_labels),
                   settings.ingest_severity_label, severities)

    def severity(self, raw: str | None) -> Severity:
        return self.severities.get((raw or "").strip().lower(), UNKNOWN_SEVERITY)

    def first(self, labels: dict[str, str], names: tuple[str, ...], path: str) -> str:
        value = next((labels[n] for n in names if labels.get(n, "").strip()), None)
        if value is None:
            raise PayloadError(path, f"needs one of the labels {', '.join(names)} (INGEST_"
                               f"{'COMPONENT' if names == self.component_labels else 'ALERT_TYPE'}_LABELS)")
        return value


def group_key(raw: str) -> str:
    """The store keeps a digest: group keys are label sets of any length."""
    return hashlib.sha1(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _alert(alert_type: str, component: str, severity: Severity, summary: str, metrics: dict,
           started_at: datetime, timestamp: datetime, identity: str) -> Alert:
    kind, name = component_name(alert_type, MAX_ALERT_TYPE), component_name(component)
    fingerprint = f"{kind}:{name}"
    started = aware_utc(started_at)
    said = shown(component)
    message = f"{said}: {clean_text(summary).strip()[:480] or kind} ({severity})"
    return Alert(hashlib.sha1(f"{fingerprint}|{identity}|{started.isoformat()}".encode()).hexdigest()[:16],
                 fingerprint, severity, kind, name, metrics, message, aware_utc(timestamp), started,
                 RUNBOOKS.get(kind, ""))


def from_alertmanager(note: AlertmanagerNotification, labels: LabelMap, now: datetime) -> Ingested:
    """Alertmanager's (or Grafana's) notification: each alert's own labels over the common ones."""
    found = Ingested(group_key(note.groupKey))
    for i, item in enumerate(note.alerts):
        alert = _from_am_alert(note, item, labels, f"alerts[{i}].labels", now)
        if item.status == "firing":
            found.firing[alert.fingerprint] = alert
        else:
            found.resolved.add(alert.fingerprint)
    found.resolved -= set(found.firing)  # one instance resolved while another of the fingerprint still fires
    return found


def _from_am_alert(note: AlertmanagerNotification, item: AlertmanagerAlert, labels: LabelMap, path: str,
                   now: datetime) -> Alert:
    merged = note.commonLabels | item.labels
    annotations = note.commonAnnotations | item.annotations
    summary = next((annotations[k] for k in ("summary", "description", "message") if annotations.get(k)), "")
    metrics: dict = {k: v for k, v in (item.values or {}).items() if v is not None}
    metrics["labels"] = {k: shown(v, 200) for k, v in list(merged.items())[:32]}
    if item.generatorURL:
        metrics["source_url"] = item.generatorURL[:500]
    return _alert(labels.first(merged, labels.alert_type_labels, path),
                  labels.first(merged, labels.component_labels, path),
                  labels.severity(merged.get(labels.severity_label)), summary, metrics,
                  item.startsAt if item.startsAt.year > 1 else now, now, item.fingerprint)


def from_generic(item: GenericAlert, now: datetime) -> Ingested:
    alert = _alert(item.alert_type, item.affected_component, item.severity, item.message, dict(item.metrics),
                   item.timestamp, item.timestamp, item.alert_id or "")
    found = Ingested(group_key(f"generic|{alert.fingerprint}"))
    if item.status == "firing":
        found.firing[alert.fingerprint] = alert
    else:
        found.resolved.add(alert.fingerprint)
    return found
