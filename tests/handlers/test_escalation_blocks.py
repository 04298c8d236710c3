"""The Slack side of escalation as pure builders: a page note mentions only configured ids and shows
untrusted text (component names, alert messages) literally; the alert post shows who acknowledged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.escalation.policy import Mention
from bot.notify import PostRef
from bot.paging import Page
from bot.store.records import StoredAlert
from handlers.alert_blocks import alert_post
from handlers.escalation_blocks import page_note
from seed.slack.blockkit import validate_blocks

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def page(**changes: object) -> Page:
    values: dict = dict(key="post:INC-1/0", event="trigger", fingerprint="model_drift:classifier_v2",
                        incident_id="INC-1", component="classifier_v2", environment="production",
                        severity="critical", summary="classifier_v2: drift_score 0.45 > 0.3", why="posted, not yet "
                        "acknowledged", thread=PostRef("C0MLALERTS", "1.000100"),
                        mention=(Mention("group", "S0MLONCALL", "ml-oncall"), Mention("user", "U0LEAD")))
    return Page(**(values | changes))


def test_a_page_note_mentions_the_configured_group_and_user_and_offers_acknowledge() -> None:
    text, blocks = page_note(page())
    assert text == "🚨 <!subteam^S0MLONCALL> <@U0LEAD> CRITICAL `classifier_v2`: posted, not yet acknowledged."
    assert validate_blocks(blocks) == []
    [button] = blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == ("acknowledge_alert", "model_drift:classifier_v2")


def test_untrusted_text_in_a_page_note_is_shown_never_interpreted() -> None:
    hostile = page(component="<!channel> x", summary="<!here> <https://evil.example|click> & more",
                   mention=(Mention("group", "<!channel>"), Mention("user", "<@U0EVIL>")))
    text, blocks = page_note(hostile)
    shown = text + str(blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://evil" not in shown
    assert "&lt;!here&gt;" in blocks[0]["text"]["text"]


def test_an_acknowledged_post_says_who_and_when_and_drops_the_button() -> None:
    alert = StoredAlert("a1", "model_drift:classifier_v2", "model_drift", "critical", "classifier_v2",
                        "classifier_v2: drift_score 0.45 > 0.3; breaching since 10:40 UTC", {"drift_score": 0.45},
                        "firing", NOW, NOW, NOW, None, "C0MLALERTS", "1.000100")
    _, before = alert_post("classifier_v2", [alert])
    assert [b["text"]["text"] for b in before[-1]["elements"]] == ["Investigate", "Acknowledge", "Silence 4h",
                                                                 "Not a problem"]
    _, after = alert_post("classifier_v2", [replace(alert, acked_by="U0ONCALL", acked_at=NOW + timedelta(minutes=7))])
    assert after[1]["elements"][0]["text"] == (
        f"✋ Acknowledged by <@U0ONCALL> <!date^{int((NOW + timedelta(minutes=7)).timestamp())}^"
        "{date_short_pretty} {time}|2026-11-21 12:07 UTC>")
    assert [b["text"]["text"] for b in after[-1]["elements"]] == ["Investigate", "Silence 4h", "Not a problem"]
    assert validate_blocks(after) == []
