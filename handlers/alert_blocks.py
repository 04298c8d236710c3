"""Pure builders for alert posts in #ml-alerts and their thread notes.

Times are Slack date tokens (each reader's own time zone, and "x minutes ago"); the breach start the
monitor wrote into the message as a UTC clock time is read back and shown that way too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.analytics import AGENT_HEALTH
from bot.monitor.sweep import RUNBOOKS
from bot.rules import SEVERITY_ORDER
from bot.store.records import StoredAlert
from handlers.actions.ids import ACKNOWLEDGE_ALERT, INVESTIGATE_ALERT, NOT_A_PROBLEM, SILENCE_ALERT
from handlers.blocks import SEVERITY_EMOJI, Blocks, breaching, button, context, header, section, what
from handlers.links import NO_LINKS, Links
from handlers.mrkdwn import code, esc, mention, when


def alert_post(component: str, alerts: Sequence[StoredAlert], links: Links = NO_LINKS,
               silenced_until: Mapping[str, datetime] | None = None, environment: str = "") -> tuple[str, Blocks]:
    """One message per component: every alert that fired with it, firing or resolved; 🔕 on a silenced one;
    the component's environment (the action policy's) on each alert's context line."""
    firing = [a for a in alerts if a.status == "firing"]
    if firing:
        worst = max((a.severity for a in firing), key=SEVERITY_ORDER.__getitem__)
        title = f"{SEVERITY_EMOJI[worst]} {worst.upper()} — {component}"
    else:
        title = f"✅ RESOLVED — {component}"
    blocks: Blocks = [header(title)]
    acked = next((a for a in alerts if a.acked_by and a.acked_at), None)  # the post is acknowledged as one
    if acked is not None and acked.acked_at is not None:
        blocks.append(context(f"✋ Acknowledged by {mention(acked.acked_by)} {when(acked.acked_at)}"))
    dismissed = next((a for a in alerts if a.not_problem_by and a.not_problem_at), None)
    if dismissed is not None and dismissed.not_problem_at is not None:
        blocks.append(context(f"🙅 Marked not a problem by {mention(dismissed.not_problem_by)} "
                              f"{when(dismissed.not_problem_at)}"))
    for alert in alerts:
        state = ("firing" if alert.status == "firing"
                 else f"✅ resolved {when(alert.resolved_at)}" if alert.resolved_at else "resolved")
        until = (silenced_until or {}).get(alert.fingerprint)
        if until is not None and alert.status == "firing":
            state += f" · 🔕 silenced until {when(until)}"
        blocks.append(section(f"*{esc(alert.alert_type)}* · {code(alert.fingerprint)} · {state}\n{esc(what(alert))}"))
        runbook = links.runbook(RUNBOOKS.get(alert.alert_type, "runbooks/incident_response.md"))
        dashboard = links.dashboard_for(component)
        blocks.append(context(f"{breaching(alert)} · runbook {runbook}" + (f" · {dashboard}" if dashboard else "")
                              + (f" · environment *{esc(environment)}*" if environment else "")))
        if alert.status == "firing":
            buttons = [button("Silence 4h", SILENCE_ALERT, alert.fingerprint)]
            if alert.acked_at is None:
                buttons.insert(0, button("Acknowledge", ACKNOWLEDGE_ALERT, alert.fingerprint))
            if alert.alert_type != AGENT_HEALTH:  # about the bot itself: nothing in the warehouse to investigate
                buttons.insert(0, button("Investigate", INVESTIGATE_ALERT, alert.fingerprint, style="primary"))
            if alert.not_problem_at is None:
                buttons.append(button("Not a problem", NOT_A_PROBLEM, alert.fingerprint))
            blocks.append({"type": "actions", "elements": buttons})
        elif alert.not_problem_at is None:  # a false positive that cleared by itself can still be marked
            blocks.append({"type": "actions", "elements": [button("Not a problem", NOT_A_PROBLEM, alert.fingerprint)]})
    # the push notification: the component once, then what each alert says
    text = esc(f"{title}: " + "; ".join(what(a) for a in alerts))
    return text[:3000], blocks


def still_firing(alert: StoredAlert, now: datetime) -> tuple[str, Blocks]:
    hours = (now - alert.first_seen_at).total_seconds() / 3600
    text = f"🔁 {esc(alert.component)} still firing after {hours:.1f} h: {esc(what(alert))}"
    return text, [section(f"{text}; {breaching(alert)}")]


def severity_changed(alert: StoredAlert, old: str) -> tuple[str, Blocks]:
    mark, verb = ("⬆️", "escalated") if SEVERITY_ORDER[alert.severity] > SEVERITY_ORDER[old] else ("⬇️", "eased")
    text = f"{mark} {esc(alert.component)} {verb} from {old} to {alert.severity}: {esc(what(alert))}"
    return text, [section(f"{text}; {breaching(alert)}")]


def resolved(alert: StoredAlert, latest: dict[str, float]) -> tuple[str, Blocks]:
    values = ", ".join(f"{esc(metric)} {value:g}" for metric, value in latest.items())
    now = f" (latest: {values})" if values else ""
    # an ingested alert has no rule here: its sender (Alertmanager, Grafana …) said it resolved
    judged = "was resolved by its sender" if alert.source == "ingest" else "no longer breaches its rule"
    said = f"{code(alert.fingerprint)} {judged}{now}."
    at = f" {when(alert.resolved_at)}" if alert.resolved_at else ""
    return f"✅ Resolved: {said}", [section(f"✅ Resolved{at}: {said}")]
