"""Silences as an on-call engineer makes them: durations with units, bounds, the list, unsilence, the notice
in the alert's thread whichever way it was made, and 🔕 on the alert post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.durations import DurationError, in_words, parse_duration
from bot.store.records import Silence
from handlers.actions.ids import SILENCE_ALERT
from handlers.commands.silence import parse
from handlers.silence_blocks import PER_PAGE, silences_list
from seed.slack.blockkit import validate_blocks
from tests.helpers.slack_bot import RunningBot

CHANNEL = "C0MLALERTS"
DRIFT = "model_drift:classifier_v2"


@pytest.mark.parametrize(("text", "expected", "words"), [
    ("4h", timedelta(hours=4), "4 hours"), ("4 hours", timedelta(hours=4), "4 hours"),
    ("1h30m", timedelta(minutes=90), "1 hour 30 minutes"), ("90m", timedelta(minutes=90), "1 hour 30 minutes"),
    ("2d", timedelta(days=2), "2 days"), ("1 hour and 30 minutes", timedelta(minutes=90), "1 hour 30 minutes"),
    ("1 minute", timedelta(minutes=1), "1 minute"),
])
def test_durations_people_type_read_back_in_words(text: str, expected: timedelta, words: str) -> None:
    assert parse_duration(text) == expected
    assert in_words(parse_duration(text)) == words


@pytest.mark.parametrize("text", ["4", "hours", "4 parsecs", "4h then", "99999999999d", "999999999w",
                                  "999999999d 999999999d"])
def test_what_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_a_bare_number_is_refused_with_a_hint_but_settings_keep_bare_seconds() -> None:
    from bot.config import parse_duration as setting_duration

    with pytest.raises(DurationError, match=r"a duration needs a unit: 4m, 4h or 4d\?"):
        parse_duration("4")
    assert setting_duration("90") == timedelta(seconds=90)  # REPEAT_INTERVAL=14400 still means 4 hours


def test_four_hours_in_words_is_four_hours_and_the_rest_is_the_reason() -> None:
    assert parse(f"{DRIFT} 4 hours retraining tonight") == (DRIFT, timedelta(hours=4), "retraining tonight")
    assert parse(f"{DRIFT} 1h30m") == (DRIFT, timedelta(minutes=90), "")
    with pytest.raises(ValueError, match="`4` is not a duration: a duration needs a unit"):
        parse(f"{DRIFT} 4 hrs?")


@pytest.mark.parametrize("text", ["30s", "59 seconds", "31d", "5w"])
def test_silences_last_from_one_minute_to_thirty_days(text: str) -> None:
    with pytest.raises(ValueError, match="A silence lasts from 1 minute to 30 days"):
        parse(f"{DRIFT} {text}")
    assert parse(f"{DRIFT} 1m")[1] == timedelta(minutes=1) and parse(f"{DRIFT} 30d")[1] == timedelta(days=30)


def test_the_list_is_paged_within_block_kit_limits() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    many = [Silence(n, f"latency:model_{n}", "U0ONCALL", "r" * 500, now, now + timedelta(hours=n + 1))
            for n in range(PER_PAGE * 2 + 5)]
    text, first = silences_list(many, now)
    assert text == "45 silence(s) in force" and validate_blocks(first) == [] and len(first) <= 50
    assert ("Showing 1–20 of 45 · page 1 of 3 · `/agentops silences 2` for the next"
            in first[-1]["elements"][0]["text"])
    _, last = silences_list(many, now, page=3)
    assert len(last) == 5 + 2 and "Showing 41–45 of 45 · page 3 of 3 ·" in last[-1]["elements"][0]["text"]


def alert_post(bot: RunningBot):  # type: ignore[no-untyped-def]
    bot.tick()
    return bot.slack.wait_for(lambda: bot.slack.messages(CHANNEL))[0]


def thread(bot: RunningBot, post, count: int = 1):  # type: ignore[no-untyped-def]
    return bot.slack.wait_for(lambda: len(m := bot.slack.messages(CHANNEL, thread_ts=post.ts)) >= count and m)


def test_the_command_tells_the_alert_thread_marks_the_post_and_confirms_privately(running_bot: RunningBot) -> None:
    slack, post = running_bot.slack, alert_post(running_bot)
    slack.wait_ack(slack.slash_command(f"silence {DRIFT} 4 hours retraining tonight"))
    until = running_bot.clock.now() + timedelta(hours=4)
    [note] = thread(running_bot, post)
    assert note.text == (f"🔕 <@U0ONCALL> silenced `{DRIFT}` for 4 hours, until {until:%Y-%m-%d %H:%M} UTC — "
                         f"retraining tonight. Undo with `/agentops unsilence {DRIFT}`.")
    confirmed = slack.wait_for(lambda: slack.ephemerals("U0ONCALL"))[0]
    assert confirmed.text.startswith(f"You silenced `{DRIFT}` for 4 hours")
    assert "The alert's thread says so." in confirmed.text
    assert len(slack.messages(CHANNEL)) == 1  # nothing new in the channel itself
    shown = slack.wait_for(lambda: "🔕" in slack.render_blocks(post) and slack.render_blocks(post))
    assert f"`{DRIFT}` · firing · 🔕 silenced until {until:%Y-%m-%d %H:%M} UTC" in shown
    stored = running_bot.deps.store.silences.active(DRIFT, running_bot.clock.now())
    assert stored.ends_at == until and stored.reason == "retraining tonight"


def test_the_button_also_marks_the_post(running_bot: RunningBot) -> None:
    slack, post = running_bot.slack, alert_post(running_bot)
    slack.wait_ack(slack.click(SILENCE_ALERT, DRIFT, post.ts, user="U0APPROVER"))
    [note] = thread(running_bot, post)
    assert note.text.startswith(f"🔕 <@U0APPROVER> silenced `{DRIFT}` for 4 hours, until ")
    assert slack.wait_for(lambda: "🔕 silenced until" in slack.render_blocks(post))


def test_silences_lists_them_and_unsilence_lifts_one_audited_and_told(running_bot: RunningBot) -> None:
    slack, post = running_bot.slack, alert_post(running_bot)
    slack.wait_ack(slack.slash_command(f"silence {DRIFT} 2d"))
    thread(running_bot, post)
    slack.wait_ack(slack.slash_command("silences"))
    # the silence's own private reply and the list race each other: find the list by what it is
    listed = slack.wait_for(lambda: next((e for e in slack.ephemerals("U0ONCALL") if "in force" in e.text), None))
    assert listed.text == "1 silence(s) in force" and f"`{DRIFT}` until " in slack.render_blocks(listed)
    slack.wait_ack(slack.slash_command(f"unsilence {DRIFT}", user="U0APPROVER"))
    lifted = thread(running_bot, post, 2)[1]
    assert lifted.text == f"🔔 <@U0APPROVER> lifted the silence on `{DRIFT}`; it notifies again."
    assert slack.wait_for(lambda: "🔕" not in slack.render_blocks(post))
    assert running_bot.deps.store.silences.active(DRIFT, running_bot.clock.now()) is None
    [entry] = [e for e in running_bot.deps.store.audit.entries(subject=DRIFT) if e.action == "silence.remove"]
    assert (entry.actor, entry.outcome) == ("U0APPROVER", "unsilenced")
    slack.wait_ack(slack.slash_command(f"unsilence {DRIFT}"))
    again = slack.wait_for(lambda: len(e := slack.ephemerals("U0ONCALL")) >= 3 and e)[2]
    assert again.text.startswith(f"`{DRIFT}` is not silenced.")


def test_a_redraw_by_the_monitor_keeps_the_mark_while_the_silence_lasts(running_bot: RunningBot) -> None:
    from bot.notify import PostRef

    slack, post = running_bot.slack, alert_post(running_bot)
    slack.wait_ack(slack.slash_command(f"silence {DRIFT} 1h"))
    slack.wait_for(lambda: "🔕" in slack.render_blocks(post))
    sharing = running_bot.deps.store.alerts.sharing_post(CHANNEL, post.ts)
    redraw = running_bot.deps.announcer.alert_changed(PostRef(CHANNEL, post.ts), "classifier_v2", sharing)
    edits = post.edits
    running_bot.thread.call(redraw)  # what the monitor does when an alert of the post changes
    assert post.edits == edits + 1 and "🔕 silenced until" in slack.render_blocks(post)
    running_bot.clock.advance(timedelta(hours=2))  # the silence is over: the next redraw drops the mark
    running_bot.thread.call(running_bot.deps.announcer.alert_changed(PostRef(CHANNEL, post.ts), "classifier_v2",
                                                                     sharing))
    assert "🔕" not in slack.render_blocks(post)
