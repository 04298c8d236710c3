"""Pure builders for alert posts in #ml-alerts and their thread notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.monitor.sweep import RUNBOOKS
from bot.rules import SEVERITY_ORDER
from bot.store.records import StoredAlert
from handlers.actions.ids import INVESTIGATE_ALERT, SILENCE_ALERT
from handlers.blocks import SEVERITY_EMOJI, Blocks, button, context, header, section
from handlers.mrkdwn import code, esc


def alert_post(component: str, alerts: Sequence[StoredAlert],
               silenced_until: Mapping[str, datetime] | None = None) -> tuple[str, Blocks]:
    """One message per component: every alert that fired with it, firing or resolved; 🔕 on a silenced one."""
    firing = [a for a in alerts if a.status == "firing"]
    if firing:
        worst = max((a.severity for a in firing), key=SEVERITY_ORDER.__getitem__)
        title = f"{SEVERITY_EMOJI[worst]} {worst.upper()} — {component}"
    else:
        title = f"✅ RESOLVED — {component}"
    blocks: Blocks = [header(title)]
    for alert in alerts:
        state = ("firing" if alert.status == "firing"
                 else f"✅ resolved at {alert.resolved_at:%H:%M} UTC" if alert.resolved_at else "resolved")
        until = (silenced_until or {}).get(alert.fingerprint)
        if until is not None and alert.status == "firing":
            state += f" · 🔕 silenced until {until:%Y-%m-%d %H:%M} UTC"
        blocks.append(section(f"*{esc(alert.alert_type)}* · {code(alert.fingerprint)} · {state}\n{esc(alert.message)}"))
        blocks.append(context(f"detected {alert.first_seen_at:%Y-%m-%d %H:%M} UTC · runbook "
                              f"`{RUNBOOKS.get(alert.alert_type, 'runbooks/incident_response.md')}`"))
        if alert.status == "firing":
            blocks.append({"type": "actions", "elements": [
                button("Investigate", INVESTIGATE_ALERT, alert.fingerprint, style="primary"),
                button("Silence 4h", SILENCE_ALERT, alert.fingerprint)]})
    text = esc(f"{title}: " + "; ".join(a.message for a in alerts))
    return text[:3000], blocks


def still_firing(alert: StoredAlert, now: datetime) -> tuple[str, Blocks]:
    hours = (now - alert.first_seen_at).total_seconds() / 3600
    text = f"🔁 Still firing after {hours:.1f} h: {esc(alert.message)}"
    return text, [section(text)]


def severity_changed(alert: StoredAlert, old: str) -> tuple[str, Blocks]:
    arrow = "⬆️ Escalated" if SEVERITY_ORDER[alert.severity] > SEVERITY_ORDER[old] else "⬇️ Eased"
    text = f"{arrow} from {old} to {alert.severity}: {esc(alert.message)}"
    return text, [section(text)]


def resolved(alert: StoredAlert, latest: dict[str, float]) -> tuple[str, Blocks]:
    at = f" at {alert.resolved_at:%H:%M} UTC" if alert.resolved_at else ""
    values = ", ".join(f"{esc(metric)} {value:g}" for metric, value in latest.items())
    now = f" (latest: {values})" if values else ""
    text = f"✅ Resolved{at}: {code(alert.fingerprint)} no longer breaches its rule{now}."
    return text, [section(text)]
