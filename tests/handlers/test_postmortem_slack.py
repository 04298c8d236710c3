"""A post-mortem draft in the incident's thread, through the real Bolt app on the Slack stand-in: one message
with its sections, [Publish] and [Discard] (Discard asks first); Publish by an approver redraws it published;
anyone else is told privately why nothing changed."""

from __future__ import annotations

from sqlalchemy import text

from bot.notify import PostRef, post_of
from bot.postmortems.drafting import draft_postmortem
from bot.store.records import Incident
from handlers.actions.ids import DISCARD_POSTMORTEM, PUBLISH_POSTMORTEM
from seed.slack import SlackStandIn
from seed.slack.workspace import Message
from tests.helpers.slack_bot import RunningBot, bot_running

CHANNEL = "C0MLALERTS"


def drafted(slack: SlackStandIn, bot: RunningBot) -> tuple[Incident, PostRef, Message]:
    """The drift alert posted, its incident's draft posted to the alert's thread: (incident, thread, draft)."""
    bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    [incident] = bot.deps.store.incidents.recent()
    thread = post_of(incident)
    assert thread is not None and thread.ts == alert_post.ts
    assert bot.thread.call(draft_postmortem(bot.deps, incident, thread)) is True
    [draft] = slack.wait_for(lambda: slack.messages(CHANNEL, thread_ts=alert_post.ts))
    return incident, thread, draft


def test_the_draft_is_one_message_with_publish_and_a_confirmed_discard_and_publish_redraws_it(
        slack: SlackStandIn, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    with bot_running(slack, tmp_path / ".agentops", now, agentops_approvers="U0LEAD") as bot:
        incident, _, draft = drafted(slack, bot)
        shown = slack.render_blocks(draft)
        print(draft.text)
        print(shown)
        assert draft.text == f"Post-mortem draft for {incident.incident_id}: publish or discard it"
        assert shown.startswith(f"📝 Post-mortem draft: {incident.incident_id}")
        for heading in ("*Summary*", "*Severity*\nP1 (critical)", "*Timeline*", "*Root Cause*", "*Resolution*",
                        "*Lessons Learned*", "*Affected Components*"):
            assert heading in shown
        assert "[Publish]" in shown and "[Discard]" in shown
        [buttons] = [b for b in draft.blocks if b["type"] == "actions"]
        discard = next(e for e in buttons["elements"] if e["action_id"] == DISCARD_POSTMORTEM)
        assert discard["confirm"]["title"]["text"] == "Discard the post-mortem?" and discard["style"] == "danger"

        slack.wait_ack(slack.click(PUBLISH_POSTMORTEM, incident.incident_id, draft.ts, user="U0VIEWER"))
        [refused] = slack.wait_for(lambda: slack.ephemerals("U0VIEWER"))
        assert refused.text.startswith("Only the approvers (<@U0LEAD>) may publish a post-mortem")

        slack.wait_ack(slack.click(PUBLISH_POSTMORTEM, incident.incident_id, draft.ts, user="U0LEAD"))
        published = slack.wait_for(lambda: "Published by" in (text := slack.render_blocks(draft)) and text)
        print(published)
        assert published.startswith(f"📗 Post-mortem: {incident.incident_id}")
        assert "✅ Published by <@U0LEAD> 2026-11-21 12:00 UTC: added to the knowledge index" in published
        assert "[Publish]" not in published and "[Discard]" not in published
        stored = bot.deps.store.postmortems.get(incident.incident_id)
        assert stored is not None and stored.status == "published" and stored.decided_by == "U0LEAD"
        assert f"postmortems/{stored.file_name}" in bot.deps.knowledge.incidents

        slack.wait_ack(slack.click(DISCARD_POSTMORTEM, incident.incident_id, draft.ts, user="U0LEAD"))
        [late] = slack.wait_for(lambda: slack.ephemerals("U0LEAD"))
        assert late.text.startswith(f"The post-mortem of {incident.incident_id} was already published by <@U0LEAD>")


def test_a_draft_posted_before_a_replica_stopped_is_adopted_not_posted_twice(
        slack: SlackStandIn, tmp_path, now) -> None:  # type: ignore[no-untyped-def]
    with bot_running(slack, tmp_path / ".agentops", now, agentops_approvers="U0LEAD") as bot:
        incident, thread, draft = drafted(slack, bot)
        with bot.deps.store.engine.begin() as conn:  # the replica stopped after the post, before storing it
            conn.execute(text("UPDATE postmortems SET slack_channel = NULL, slack_ts = NULL"))
        assert bot.thread.call(draft_postmortem(bot.deps, incident, thread)) is True  # the retry …
        assert [m.ts for m in slack.messages(CHANNEL, thread_ts=thread.ts)] == [draft.ts]  # … adopts it
        stored = bot.deps.store.postmortems.get(incident.incident_id)
        assert stored is not None and stored.slack_ts == draft.ts
        slack.wait_ack(slack.click(PUBLISH_POSTMORTEM, incident.incident_id, draft.ts, user="U0LEAD"))
        slack.wait_for(lambda: "Published by" in slack.render_blocks(draft))
