"""Paging channels other than Slack (bot/paging.py's port): email over SMTP, a signed webhook, PagerDuty."""

from __future__ import annotations

from bot.channels.email import EmailPager
from bot.channels.pagerduty import PagerDutyPager
from bot.channels.webhook import WebhookPager
from bot.config import Settings
from bot.paging import Pager
from bot.redact import Redactor


def pagers(settings: Settings) -> dict[str, Pager]:
    """Every non-Slack channel; one whose settings are missing says so (`configured`), and is skipped."""
    redact = Redactor(settings.secret_values())
    return {"email": EmailPager(settings, redact), "webhook": WebhookPager(settings, redact),
            "pagerduty": PagerDutyPager(settings, redact)}
