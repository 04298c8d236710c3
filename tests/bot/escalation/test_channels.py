"""The paging channels against real receivers on loopback: email through aiosmtpd (STARTTLS and AUTH),
the signed webhook, and PagerDuty Events v2 through its stand-in; failures degrade to PageFailed."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.email import EmailPager
from bot.channels.pagerduty import PagerDutyPager
from bot.channels.webhook import WebhookPager
from bot.config import Settings, load_settings
from bot.notify import PostRef
from bot.paging import Page, PageFailed
from bot.redact import Redactor
from seed.pagerduty import PagerDutyStandIn
from seed.webhook import WebhookReceiver
from tests.helpers.paging import SMTP_PASSWORD, SMTP_USER, smtp_server
from tests.helpers.slack_bot import free_port

LINK = "https://example.slack.com/archives/C0MLALERTS/p1700000000000100"


def page(**changes: object) -> Page:
    values: dict = dict(key="post:INC-1/2", chain="post:INC-1", event="trigger",
                        fingerprint="model_drift:classifier_v2", incident_id="INC-1", component="classifier_v2",
                        environment="production", severity="critical",
                        summary="classifier_v2: drift_score 0.41 <script>", why="unacknowledged for 30 minutes",
                        unacked_for=timedelta(minutes=30), thread=PostRef("C0MLALERTS", "1.000100"), link=LINK,
                        to=("lead@example.com",))
    return Page(**(values | changes))


def settings(**values: object) -> Settings:
    return load_settings(**({"paging_timeout_sec": 2} | values))


def send(pager: object, what: Page) -> str:
    return asyncio.run(pager.send(what))  # type: ignore[attr-defined]


# email ------------------------------------------------------------------------------------------------

def test_email_goes_over_starttls_with_login_as_text_and_html_with_the_thread_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(tls_dir=tmp_path) as mailbox:
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "smtp.crt"))  # trust the server's own certificate
        pager = EmailPager(settings(smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_username=SMTP_USER,
                                    smtp_password=SMTP_PASSWORD, smtp_from="agentops@example.com"), Redactor())
        assert send(pager, page()) == "sent to 1 recipient(s)"
        [mail] = mailbox.messages
    assert mailbox.logins == [SMTP_USER]
    assert mail["To"] == "lead@example.com" and mail["From"] == "agentops@example.com"
    assert mail["Subject"] == "[AgentOps CRITICAL] classifier_v2: unacknowledged for 30 minutes"
    plain, rich = mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()
    assert f"Alert thread: {LINK}" in plain and "/agentops ack model_drift:classifier_v2" in plain
    assert f'<a href="{LINK}">Open the alert thread in Slack</a>' in rich
    assert "&lt;script&gt;" in rich and "<script>" not in rich  # warehouse text is escaped in HTML


def test_a_wrong_smtp_password_fails_at_once_without_the_password_in_the_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(tls_dir=tmp_path) as mailbox:
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "smtp.crt"))
        pager = EmailPager(settings(smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_username=SMTP_USER,
                                    smtp_password="wrong-password-123"), Redactor(["wrong-password-123"]))
        with pytest.raises(PageFailed, match="refused the login") as failure:
            send(pager, page())
        assert mailbox.messages == [] and "wrong-password" not in str(failure.value)


def test_smtp_down_is_retried_a_bounded_number_of_times_then_reported() -> None:
    pager = EmailPager(settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_starttls=False), Redactor())
    with pytest.raises(PageFailed, match=r"email not sent after 3 attempts \(ConnectionRefusedError"):
        send(pager, page())


def test_a_header_injection_through_a_component_name_stays_in_the_subject(tmp_path: Path) -> None:
    with smtp_server() as mailbox:
        pager = EmailPager(settings(smtp_host=mailbox.host, smtp_port=mailbox.port, smtp_starttls=False), Redactor())
        send(pager, page(component="x\r\nBcc: victim@example.com"))
        [mail] = mailbox.messages
    assert mail["Bcc"] is None and "Bcc: victim@example.com" in mail["Subject"]


# webhook ----------------------------------------------------------------------------------------------

def test_the_webhook_is_signed_keyed_and_a_500_then_200_is_one_delivery() -> None:
    with WebhookReceiver() as receiver:
        receiver.fail(500)
        pager = WebhookPager(settings(escalation_webhook_url=receiver.hook_url,
                                      escalation_webhook_secret=receiver.secret), Redactor())
        assert send(pager, page()) == "HTTP 200"
        send(pager, page())  # the same step sent again (a replica's retry): the receiver keeps one
    assert receiver.attempts == 3 and list(receiver.deliveries) == ["post:INC-1/2"]
    body = receiver.deliveries["post:INC-1/2"]
    assert (body["event"], body["fingerprint"], body["thread"]) == ("trigger", "model_drift:classifier_v2", LINK)


def test_the_signature_is_hmac_sha256_of_the_exact_body() -> None:
    from bot.channels.webhook import body_of, sign

    raw = json.dumps(body_of(page()), separators=(",", ":")).encode()
    assert sign("s3cret", raw) == "sha256=" + hmac.new(b"s3cret", raw, hashlib.sha256).hexdigest()


def test_a_webhook_4xx_is_not_retried_and_a_wrong_secret_is_refused() -> None:
    with WebhookReceiver() as receiver:
        pager = WebhookPager(settings(escalation_webhook_url=receiver.hook_url,
                                      escalation_webhook_secret="not-the-secret"), Redactor())
        with pytest.raises(PageFailed, match=r"the webhook refused the page \(HTTP 401"):
            send(pager, page())
    assert receiver.attempts == 1 and receiver.deliveries == {}


def test_a_webhook_that_times_out_or_keeps_failing_is_given_up_after_three_attempts() -> None:
    with WebhookReceiver() as receiver:
        receiver.stall(3.0)
        receiver.fail(503, times=2)
        pager = WebhookPager(settings(escalation_webhook_url=receiver.hook_url,
                                      escalation_webhook_secret=receiver.secret, paging_timeout_sec=0.5), Redactor())
        with pytest.raises(PageFailed, match=r"unreachable after 3 attempts \(HTTP 503"):
            send(pager, page())
        # the stalled attempt may still land after the client gave up: one key, so at most one delivery
        receiver.wait_for(lambda: receiver.attempts == 3)
    assert len(receiver.deliveries) <= 1


# PagerDuty --------------------------------------------------------------------------------------------

def pagerduty(stand_in: PagerDutyStandIn, key: str | None = None) -> PagerDutyPager:
    return PagerDutyPager(settings(pagerduty_events_url=stand_in.events_url,
                                   pagerduty_routing_key=key or stand_in.routing_key), Redactor())


def test_pagerduty_trigger_acknowledge_resolve_meet_on_the_chain_not_the_fingerprint() -> None:
    with PagerDutyStandIn() as stand_in:
        pager = pagerduty(stand_in)
        assert send(pager, page()) == "trigger: post:INC-1"
        send(pager, page(event="acknowledge"))
        assert stand_in.alerts["post:INC-1"].state == "acknowledged"
        # the same fingerprint escalated later, or firing again as a new incident: a PagerDuty alert of its own
        assert send(pager, page(key="escalated:INC-1/0", chain="escalated:INC-1")) == "trigger: escalated:INC-1"
        assert stand_in.alerts["escalated:INC-1"].state == "triggered"
        send(pager, page(event="resolve"))
    trigger, acknowledge, _escalated, resolve = stand_in.events
    assert trigger["payload"]["severity"] == "critical" and trigger["payload"]["source"] == "classifier_v2"
    assert trigger["links"] == [{"href": LINK, "text": "Alert thread in Slack"}]
    assert set(acknowledge) == set(resolve) == {"routing_key", "event_action", "dedup_key"}
    assert stand_in.alerts["post:INC-1"].state == "resolved"


def test_pagerduty_limits_are_kept_summary_1024_and_dedup_key_255() -> None:
    with PagerDutyStandIn() as stand_in:
        send(pagerduty(stand_in), page(summary="x" * 5000, chain="post:" + "m" * 300))
    [event] = stand_in.events
    assert len(event["payload"]["summary"]) == 1024 and len(event["dedup_key"]) == 255


def test_a_pagerduty_400_fails_with_its_reason_and_a_500_is_retried() -> None:
    with PagerDutyStandIn() as stand_in:
        with pytest.raises(PageFailed, match=r"PagerDuty refused the page \(HTTP 400: .*routing_key' is invalid"):
            send(pagerduty(stand_in, key="R0UTINGKEYWRONG"), page())
        stand_in.fail(500)
        send(pagerduty(stand_in), page())
    assert len(stand_in.refused) == 1 and stand_in.actions() == ["trigger"]
    assert "R0UTINGKEYWRONG" not in json.dumps([str(e) for e in stand_in.refused[0][1]])
