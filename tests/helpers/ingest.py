"""Ingest webhook helpers: notifications shaped as Alertmanager, Grafana and generic senders send them,
signed or with the bearer token, POSTed with httpx to the running bot's HTTP port."""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from bot.ingest.auth import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from seed.slack import SlackStandIn
from tests.helpers.slack_bot import RunningBot

TOKEN, SECRET = "ingest-token-for-tests", "ingest-hmac-secret-for-tests"
INGEST = {"ingest_token": TOKEN, "ingest_hmac_secret": SECRET}
BEARER = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def url(bot: RunningBot, path: str = "/ingest/alertmanager") -> str:
    return f"http://127.0.0.1:{bot.deps.settings.health_port}{path}"


def am_alert(alertname: str = "ModelDriftHigh", model: str = "fraud_scorer", status: str = "firing",
             severity: str = "page", starts_at: str = "2026-11-21T11:50:00Z", **labels: str) -> dict:
    return {"status": status, "labels": {"alertname": alertname, "model": model, "severity": severity} | labels,
            "annotations": {"summary": f"{alertname} on {model}"}, "startsAt": starts_at,
            "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-21T12:05:00Z",
            "generatorURL": "http://prometheus.example/graph?g0.expr=drift", "fingerprint": f"{alertname}{model}"[:16]}


def am_notification(*alerts: dict, group_key: str = '{}:{alertname="ModelDriftHigh"}') -> dict:
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {"version": "4", "groupKey": group_key, "truncatedAlerts": 0, "status": status, "receiver": "agentops",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am.example",
            "alerts": list(alerts)}


def grafana_notification(*alerts: dict, group_key: str = "{}/{}:{alertname=\"HighLatency\"}") -> dict:
    """Grafana's webhook contact point: Alertmanager's shape plus orgId, values, silence/dashboard/panel URLs."""
    note = am_notification(*alerts, group_key=group_key) | {"version": "1", "orgId": 1, "title": "[FIRING:1]",
                                                             "state": "alerting", "message": "**Firing**"}
    for alert in note["alerts"]:
        alert |= {"values": {"B": 1840.5, "C": 1.0}, "valueString": "[ var='B' value=1840.5 ]",
                  "silenceURL": "http://grafana.example/alerting/silence/new", "dashboardURL": "", "panelURL": ""}
    return note


def generic_alert(**fields: object) -> dict:
    return {"alert_id": "ext-1", "severity": "critical", "alert_type": "latency",
            "affected_component": "fraud_scorer", "metrics": {"latency_p99_ms": 2400.0},
            "timestamp": "2026-11-21T11:55:00Z", "message": "p99 latency 2400 ms > 1000 ms"} | fields


def signed(body: bytes, at: datetime, secret: str = SECRET) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    return {SIGNATURE_HEADER: sign(secret, timestamp, body), TIMESTAMP_HEADER: timestamp,
            "Content-Type": "application/json"}


def post(bot: RunningBot, payload: dict | bytes, path: str = "/ingest/alertmanager",
         headers: dict[str, str] | None = None) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.post(url(bot, path), content=body, headers=BEARER if headers is None else headers, timeout=30)


def alert_posts(slack: SlackStandIn) -> list:
    """The channel's top-level alert posts (not thread replies, not silence notes)."""
    return [m for m in slack.messages() if m.blocks and m.blocks[0].get("type") == "header"]
