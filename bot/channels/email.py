"""Email over SMTP (smtplib): STARTTLS and login when configured, a timeout on every connection and a
bounded retry; a plain-text and an HTML part, each with the link to the alert's thread."""

from __future__ import annotations

import asyncio
import html
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import make_msgid

from bot.config import Settings
from bot.paging import Page, PageFailed
from bot.redact import Redactor

ATTEMPTS = 3
BACKOFF_SEC = 0.25


def message_of(page: Page, sender: str, to: tuple[str, ...]) -> EmailMessage:
    message = EmailMessage()
    # header text is untrusted (a component's name): no line breaks can reach the header
    subject = f"[AgentOps {page.severity.upper()}] {page.component}: {page.why}"
    message["Subject"] = " ".join(subject.split())[:200]
    message["From"], message["To"] = sender, ", ".join(to)
    message["Message-ID"] = make_msgid(domain="agentops")
    message["X-AgentOps-Key"] = page.key
    link = page.link or "(no link: open the alert channel in Slack)"
    message.set_content(f"{page.summary}\n\n{page.why.capitalize()}.\n"
                        f"Incident {page.incident_id}, environment {page.environment}.\n\n"
                        f"Alert thread: {link}\nAcknowledge there, or with /agentops ack {page.fingerprint}\n")
    thread = (f'<a href="{html.escape(page.link, quote=True)}">Open the alert thread in Slack</a>' if page.link
              else "Open the alert channel in Slack.")
    message.add_alternative(
        f"<html><body><p><strong>{html.escape(page.summary)}</strong></p>"
        f"<p>{html.escape(page.why.capitalize())}. "
        f"Incident {html.escape(page.incident_id)}, environment {html.escape(page.environment)}.</p>"
        f"<p>{thread} · acknowledge there, or with <code>/agentops ack {html.escape(page.fingerprint)}</code></p>"
        "</body></html>", subtype="html")
    return message


class EmailPager:
    def __init__(self, settings: Settings, redact: Redactor) -> None:
        self.settings, self.redact = settings, redact

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    async def send(self, page: Page) -> str:
        if not page.to:
            raise PageFailed("no recipients: set SMTP_TO or the step's `to`")
        return await asyncio.to_thread(self._send, message_of(page, self.settings.smtp_from, page.to))

    def _send(self, message: EmailMessage) -> str:
        problem = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(BACKOFF_SEC * 2 ** (attempt - 1))
            try:
                return self._deliver(message)
            except smtplib.SMTPAuthenticationError as error:  # another attempt cannot fix a wrong password
                raise PageFailed(f"the SMTP server refused the login ({error.smtp_code})") from None
            except smtplib.SMTPRecipientsRefused as error:
                raise PageFailed(f"the SMTP server refused every recipient ({len(error.recipients)})") from None
            except (OSError, smtplib.SMTPException) as error:  # down, timed out, dropped, or a 4xx to retry
                problem = self.redact(f"{type(error).__name__}: {error}")[:300]
        raise PageFailed(f"email not sent after {ATTEMPTS} attempts ({problem})")

    def _deliver(self, message: EmailMessage) -> str:
        settings = self.settings
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.paging_timeout_sec) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_username, password)
            refused = smtp.send_message(message)
        return f"sent to {len(message['To'].split(',')) - len(refused)} recipient(s)"
