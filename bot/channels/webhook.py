"""A generic webhook: the page as JSON, signed with HMAC-SHA256 over the exact body, carrying an
idempotency key (the same step is the same key, so a receiver can drop a retried delivery)."""

from __future__ import annotations

import hashlib
import hmac
import json

from bot.channels.http import post_json
from bot.config import Settings
from bot.paging import Page
from bot.redact import Redactor

SIGNATURE_HEADER = "X-AgentOps-Signature"  # "sha256=<hex>" of the body, keyed with ESCALATION_WEBHOOK_SECRET
IDEMPOTENCY_HEADER = "Idempotency-Key"


def body_of(page: Page) -> dict:
    return {"event": page.event, "key": page.key, "fingerprint": page.fingerprint, "incident": page.incident_id,
            "component": page.component, "environment": page.environment, "severity": page.severity,
            "summary": page.summary, "why": page.why, "unacknowledged_sec": int(page.unacked_for.total_seconds()),
            "thread": page.link or None, "acknowledged_by": page.acked_by or None}


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookPager:
    def __init__(self, settings: Settings, redact: Redactor) -> None:
        self.url, self.timeout, self.redact = settings.escalation_webhook_url, settings.paging_timeout_sec, redact
        self.secret = settings.escalation_webhook_secret

    @property
    def configured(self) -> bool:
        return bool(self.url)

    async def send(self, page: Page) -> str:
        body = json.dumps(body_of(page), separators=(",", ":")).encode()
        headers = {IDEMPOTENCY_HEADER: page.key}
        if self.secret is not None and self.secret.get_secret_value():
            headers[SIGNATURE_HEADER] = sign(self.secret.get_secret_value(), body)
        response = await post_json(self.url, body, headers, timeout_sec=self.timeout, redact=self.redact,
                                   what="the webhook")
        return f"HTTP {response.status_code}"
