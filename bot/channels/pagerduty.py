"""PagerDuty Events API v2: trigger on the step, acknowledge when the post is acknowledged, resolve when
its alerts resolve; the dedup_key is the chain's subject (an alert post, or an escalated incident), so all
three meet one PagerDuty alert, and a later chain (another incident with the same fingerprint, or the
incident escalated after its post was acknowledged) pages afresh instead of folding into an old one."""

from __future__ import annotations

import json

from bot.channels.http import post_json
from bot.config import Settings
from bot.paging import Page, PageFailed
from bot.redact import Redactor

DEDUP_KEY_LIMIT, SUMMARY_LIMIT = 255, 1024
# PagerDuty's four severities; AgentOps' own map onto them
SEVERITY = {"critical": "critical", "warning": "warning", "info": "info"}


def event_of(page: Page, routing_key: str) -> dict:
    event: dict = {"routing_key": routing_key, "event_action": page.event,
                   "dedup_key": (page.chain or page.fingerprint)[:DEDUP_KEY_LIMIT]}
    if page.event != "trigger":
        return event
    summary = f"[{page.severity.upper()}] {page.summary} ({page.why})"
    event["payload"] = {
        "summary": summary if len(summary) <= SUMMARY_LIMIT else summary[:SUMMARY_LIMIT - 1] + "…",
        "source": page.component, "severity": SEVERITY.get(page.severity, "error"),
        "component": page.component, "group": page.environment, "class": page.fingerprint.split(":", 1)[0],
        "custom_details": {"incident": page.incident_id, "fingerprint": page.fingerprint,
                           "unacknowledged_sec": int(page.unacked_for.total_seconds())}}
    if page.link:
        event["links"] = [{"href": page.link, "text": "Alert thread in Slack"}]
    return event


class PagerDutyPager:
    def __init__(self, settings: Settings, redact: Redactor) -> None:
        self.url, self.timeout, self.redact = settings.pagerduty_events_url, settings.paging_timeout_sec, redact
        self.routing_key = settings.pagerduty_routing_key

    @property
    def configured(self) -> bool:
        return self.routing_key is not None and bool(self.routing_key.get_secret_value())

    async def send(self, page: Page) -> str:
        assert self.routing_key is not None  # the engine sends only when configured
        body = json.dumps(event_of(page, self.routing_key.get_secret_value())).encode()
        response = await post_json(self.url, body, {}, timeout_sec=self.timeout, redact=self.redact,
                                   what="PagerDuty")
        try:
            answer = response.json()
        except ValueError:
            raise PageFailed(f"PagerDuty answered HTTP {response.status_code} without JSON") from None
        status = answer.get("status") if isinstance(answer, dict) else None
        if status != "success":
            raise PageFailed(f"PagerDuty answered {self.redact(str(status))[:100]!r}")
        return f"{page.event}: {self.redact(str(answer.get('dedup_key', '')))[:255]}"
