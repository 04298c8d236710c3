"""The Slack announcer against the Slack stand-in, without the rest of the bot: each announcement is
rendered and posted or edited where it belongs, and a refused call is reported once and returned as
"not posted" instead of raised."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import load_settings
from bot.metrics import Metrics
from bot.notify import PostRef
from bot.store.records import Approval, StoredAlert
from handlers.announcer import SlackAnnouncer
from handlers.slack_edge import SlackEdge
from seed.slack import SlackStandIn

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
CHANNEL = "C0MLALERTS"


def alert(**changes: object) -> StoredAlert:
    values = dict(alert_id="a1", fingerprint="model_drift:classifier_v2", alert_type="model_drift",
                  severity="critical", component="classifier_v2", message="classifier_v2: drift_score 0.45 > 0.3",
                  metrics={"drift_score": 0.45}, status="firing", first_seen_at=NOW, last_seen_at=NOW,
                  last_notified_at=None, resolved_at=None, slack_channel=None, slack_ts=None)
    return StoredAlert(**(values | changes))  # type: ignore[arg-type]


def approval(post: PostRef, thread: PostRef, **changes: object) -> Approval:
    values = dict(request_id="req-1", action="rollback_model", target="classifier_v2", reason="drift 0.45",
                  proposed_by="offline", requested_by="U0ONCALL", investigation_id="inv-1", alert_id="a1",
                  requested_at=NOW, expires_at=NOW + timedelta(minutes=5), status="pending", decided_by=None,
                  decided_at=None, slack_channel=post.channel, slack_ts=post.ts, slack_thread_ts=thread.ts)
    return Approval(**(values | changes))  # type: ignore[arg-type]


def with_announcer(slack: SlackStandIn, tmp_path: Path, story) -> Metrics:  # type: ignore[no-untyped-def]
    settings = load_settings(agentops_data_dir=tmp_path, slack_api_url=slack.api_url, slack_alert_channel=CHANNEL,
                             agentops_approvers="U0LEAD")
    metrics = Metrics()

    async def run() -> None:
        edge = SlackEdge(settings, metrics)
        await edge.open(slack.bot_token)
        try:
            await story(SlackAnnouncer(edge))
        finally:
            await edge.close()

    asyncio.run(run())
    return metrics


def test_alerts_are_posted_redrawn_and_resolved_in_their_thread(slack: SlackStandIn, tmp_path: Path) -> None:
    async def story(announcer: SlackAnnouncer) -> None:
        post = await announcer.alert_posted("classifier_v2", [alert()])
        assert post is not None and post.channel == CHANNEL
        shown = alert(slack_channel=post.channel, slack_ts=post.ts)
        resolved = alert(slack_channel=post.channel, slack_ts=post.ts, status="resolved", resolved_at=NOW)
        await announcer.alert_resolved(resolved, {"drift_score": 0.08})
        await announcer.alert_changed(post, "classifier_v2", [resolved])
        await announcer.alert_still_firing(shown, NOW + timedelta(hours=4))

    with_announcer(slack, tmp_path, story)
    [post] = slack.messages(CHANNEL)
    assert post.edits == 1 and slack.render_blocks(post).startswith("✅ RESOLVED — classifier_v2")
    assert [m.shown for m in slack.messages(CHANNEL, thread_ts=post.ts)] == [
        "✅ Resolved: `model_drift:classifier_v2` no longer breaches its rule (latest: drift_score 0.08).",
        "🔁 classifier_v2 still firing after 4.0 h: drift_score 0.45 > 0.3"]


def test_a_refused_post_is_reported_once_and_returned_as_not_posted(slack: SlackStandIn, tmp_path: Path) -> None:
    slack.fail("chat.postMessage", "not_in_channel")

    async def story(announcer: SlackAnnouncer) -> None:
        assert await announcer.alert_posted("classifier_v2", [alert()]) is None
        post = await announcer.alert_posted("classifier_v2", [alert()])  # the next one goes out
        assert post is not None
        assert await announcer.investigation_started(post, "classifier_v2") is not None

    metrics = with_announcer(slack, tmp_path, story)
    assert metrics.slack_errors.labels(method="chat.postMessage", error="not_in_channel")._value.get() == 1
    assert [c.error for c in slack.ws.calls if c.method == "chat.postMessage"] == ["not_in_channel", None]


def test_a_dropped_connection_repeats_an_edit_but_never_a_post(slack: SlackStandIn, tmp_path: Path) -> None:
    async def story(announcer: SlackAnnouncer) -> None:
        slack.faults.after_storing("chat.postMessage", "reset")
        post = await announcer.alert_posted("classifier_v2", [alert()])
        assert post is not None  # not repeated: found in the channel by its metadata instead
        slack.faults.after_storing("chat.update", "reset")
        await announcer.alert_changed(post, "classifier_v2", [alert(status="resolved", resolved_at=NOW)])

    with_announcer(slack, tmp_path, story)
    [post] = slack.messages(CHANNEL)
    assert post.metadata == {"event_type": "agentops_post",
                             "event_payload": {"keys": ["alert:a1"], "fingerprints": "model_drift:classifier_v2"}}
    assert [c.method for c in slack.ws.calls if c.method.startswith(("chat.", "conversations.history"))] == [
        "chat.postMessage", "conversations.history", "chat.update", "chat.update"]
    assert post.edits == 2 and slack.render_blocks(post).startswith("✅ RESOLVED")


def test_an_approval_is_requested_then_closed_and_its_action_reported_in_place(slack: SlackStandIn,
                                                                              tmp_path: Path) -> None:
    async def story(announcer: SlackAnnouncer) -> None:
        thread = await announcer.alert_posted("classifier_v2", [alert()])
        assert thread is not None
        post = await announcer.approval_requested(approval(thread, thread), thread)
        assert post is not None
        decided = approval(post, thread, status="approved", decided_by="U0LEAD", decided_at=NOW)
        await announcer.approval_closed(decided)
        report = await announcer.action_started(decided)
        await asyncio.to_thread(report.step, "asking the ML service to roll back")
        await report.finished("completed", "classifier_v2 rolled back: v2.4.0 → v2.3.1")

    with_announcer(slack, tmp_path, story)
    [alert_post] = slack.messages(CHANNEL)
    request, progress = slack.messages(CHANNEL, thread_ts=alert_post.ts)
    assert "✅ Approved by <@U0LEAD> 2026-11-21 12:00:00 UTC" in slack.render_blocks(request)
    assert not [b for b in request.blocks or [] if b["type"] == "actions"]
    assert progress.text == ("✅ Roll back classifier_v2 done and verified: classifier_v2 rolled back: "
                             "v2.4.0 → v2.3.1")


def test_a_repeat_attempt_that_cannot_read_the_channel_still_posts(slack: SlackStandIn, tmp_path: Path) -> None:
    slack.fail("conversations.history", "missing_scope")  # installed before channels:history was added

    async def story(announcer: SlackAnnouncer) -> None:
        assert await announcer.alert_posted("classifier_v2", [alert(post_attempts=2)]) is not None

    with_announcer(slack, tmp_path, story)
    assert len(slack.messages(CHANNEL)) == 1


def test_posts_sharing_one_repost_deadline_give_up_together_while_slack_is_down(slack: SlackStandIn,
                                                                               tmp_path: Path) -> None:
    slack.faults.window(30, 503, methods=("chat.postMessage",))

    async def story(announcer: SlackAnnouncer) -> None:
        # three new components in one sweep: each alone would be retried for the whole poll interval (30 s)
        started = time.monotonic()
        deadline = started + 2.0
        for n in range(3):
            assert await announcer.alert_posted(f"model_{n}", [alert(alert_id=f"a{n}")], retry_until=deadline) is None
        assert time.monotonic() - started < 6.0  # about one deadline (and a last try), not three intervals

    with_announcer(slack, tmp_path, story)
    assert slack.messages(CHANNEL) == []


def test_a_vote_edit_retried_after_the_request_was_decided_draws_it_closed(slack: SlackStandIn,
                                                                           tmp_path: Path) -> None:
    """A tally edit that failed while Slack was down, retried after another replica decided the request,
    must not put Approve/Deny back; a tally edit made once it is decided is not made at all."""
    requests: dict[str, Approval] = {}

    async def story(announcer: SlackAnnouncer) -> None:
        announcer.watch_approvals(requests.get)
        thread = await announcer.alert_posted("classifier_v2", [alert()])
        assert thread is not None
        post = await announcer.approval_requested(approval(thread, thread, approvals_needed=2), thread)
        assert post is not None
        voted = requests["req-1"] = approval(post, thread, approvals_needed=2, votes="U0LEAD")
        slack.faults.window(1.5, 503, methods=("chat.update",))
        await announcer.approval_voted(voted)  # fails: queued
        assert len(announcer.pending) == 1
        requests["req-1"] = approval(post, thread, approvals_needed=2, votes="U0LEAD,U0ONCALL", status="approved",
                                     decided_by="U0ONCALL", decided_at=NOW)
        for _ in range(100):
            if not announcer.pending:
                break
            await asyncio.sleep(0.1)
        assert not announcer.pending
        edits = len([c for c in slack.ws.calls if c.method == "chat.update"])
        await announcer.approval_voted(voted)  # late: the request is decided
        assert len([c for c in slack.ws.calls if c.method == "chat.update"]) == edits

    with_announcer(slack, tmp_path, story)
    [alert_post] = slack.messages(CHANNEL)
    [request] = slack.messages(CHANNEL, thread_ts=alert_post.ts)
    assert not [b for b in request.blocks or [] if b["type"] == "actions"]
    assert "✅ Approved by <@U0LEAD>, <@U0ONCALL>" in slack.render_blocks(request)


def test_an_edit_retried_after_an_outage_draws_the_post_as_it_is_then(slack: SlackStandIn, tmp_path: Path) -> None:
    store: dict[tuple[str, str], list[StoredAlert]] = {}

    async def story(announcer: SlackAnnouncer) -> None:
        announcer.watch_posts(lambda channel, ts: store.get((channel, ts), []))
        post = await announcer.alert_posted("classifier_v2", [alert()])
        assert post is not None
        slack.faults.window(1.5, 503, methods=("chat.update",))
        store[(post.channel, post.ts)] = [alert(severity="warning")]
        await announcer.alert_changed(post, "classifier_v2", [alert(severity="warning")])  # fails: queued
        assert len(announcer.pending) == 1
        # meanwhile another replica resolved it and redrew the post (Slack answered it), recording it in the store
        store[(post.channel, post.ts)] = [alert(status="resolved", resolved_at=NOW)]
        for _ in range(100):
            if not announcer.pending:
                break
            await asyncio.sleep(0.1)
        assert not announcer.pending

    with_announcer(slack, tmp_path, story)
    [post] = slack.messages(CHANNEL)
    assert slack.render_blocks(post).startswith("✅ RESOLVED — classifier_v2")  # not the older, queued state
