"""What people read about an auto-investigation: its approval requests name no person as requester,
and an investigation closed because its replica stopped says so and how to start it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.auto_investigate import AUTO_REQUESTER
from bot.store.records import Approval
from handlers.approval_blocks import approval_request
from handlers.investigation_blocks import abandoned
from seed.slack import SlackStandIn

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_an_auto_investigations_request_says_so_instead_of_naming_a_requester() -> None:
    approval = Approval(request_id="r1", action="rollback_model", target="classifier_v2", reason="drift 0.45",
                        proposed_by="offline", requested_by=AUTO_REQUESTER, investigation_id="i1", alert_id="a1",
                        requested_at=NOW, expires_at=NOW + timedelta(minutes=5), status="pending", decided_by=None,
                        decided_at=None, slack_channel=None, slack_ts=None, slack_thread_ts=None, action_status=None,
                        action_details=None, action_started_at=None, action_finished_at=None)
    shown = SlackStandIn.render_blocks({"blocks": approval_request(approval, ["U0LEAD"], False)[1]})
    assert "proposed by the offline runbook investigator in an auto-investigation" in shown
    assert AUTO_REQUESTER not in shown.replace("an auto-investigation", "")


def test_an_abandoned_investigation_says_why_and_how_to_start_again_without_markup_from_its_name() -> None:
    text, blocks = abandoned("<!channel> *checkout*", 2)
    assert "&lt;!channel&gt; *checkout*" in text and "<!channel>" not in text
    assert "stopped (2 times)" in text and "click *Investigate* on the alert to start it again" in text
    assert SlackStandIn.render_blocks({"blocks": blocks}).startswith("⚠️ The investigation of <!channel> *checkout*")
    assert "stopped (once)" in abandoned("classifier_v2", 1)[0]
