"""Long lists page within Block Kit's limits, and ‹ Previous / Next › redraw the list in place, through
the real bot and Bolt against the Slack stand-in."""

from __future__ import annotations

from tests.helpers.slack_bot import RunningBot


def open_alerts(bot: RunningBot, count: int) -> None:
    for i in range(count):
        bot.deps.store.alerts.open(fingerprint=f"latency:service_{i:03d}", alert_type="latency", severity="warning",
                                   component=f"service_{i:03d}", message=f"service_{i:03d}: p95 640 ms > 500 ms",
                                   metrics={"latency_p95_ms": 640.0}, now=bot.clock.now(), source="ingest")


def test_next_redraws_the_alert_list_in_place_at_the_next_page(running_bot: RunningBot) -> None:
    slack = running_bot.slack
    open_alerts(running_bot, 57)
    slack.wait_ack(slack.slash_command("alerts"))
    listed = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))[0]
    first = slack.render_blocks(listed)
    assert "*57 firing alert(s)* — showing 1–20 of 57" in first
    assert "service_000" in first and "service_020" not in first
    slack.wait_ack(slack.click_ephemeral("alerts_page_next", "2", listed))
    slack.wait_for(lambda: listed.edits == 1)
    second = slack.render_blocks(listed)
    assert "showing 21–40 of 57" in second and "service_020" in second and "service_000" not in second
    assert [e["text"]["text"] for e in listed.blocks[-1]["elements"]] == ["‹ Previous", "Next ›"]
    assert len(slack.ephemerals("U0ONCALL")) == 1  # redrawn, not answered with a second message
    slack.wait_ack(slack.slash_command("alerts 3"))
    last = slack.wait_for(lambda: len(e := slack.ephemerals("U0ONCALL")) == 2 and e)[1]
    assert "showing 41–57 of 57" in slack.render_blocks(last)
