"""/agentops silence <fingerprint> <duration> [reason] — mute one alert's notifications until it expires."""

from datetime import timedelta

from bot.durations import EXAMPLES, DurationError, parse_duration
from bot.ingest.labels import MAX_ALERT_TYPE
from bot.store.tables import FINGERPRINT_LENGTH
from bot.warehouse.names import MAX_COMPONENT, clean_text
from handlers import silencing
from handlers.blocks import usage
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code, esc
from handlers.silence_blocks import silence_confirmed

MIN_SILENCE, MAX_SILENCE = timedelta(minutes=1), timedelta(days=30)
DURATION_WORDS = 6  # "1 hour and 30 minutes" is five; more is the reason


def could_be_fingerprint(fingerprint: str) -> bool:
    """Whether some alert, swept or ingested, could have this fingerprint: <alert type>:<component>, the
    type at most MAX_ALERT_TYPE characters and the component at most MAX_COMPONENT (both as the ingest
    label mapping bounds them), no control characters. Either side may itself hold a colon."""
    if len(fingerprint) > FINGERPRINT_LENGTH or clean_text(fingerprint) != fingerprint:
        return False
    colons = [i for i, char in enumerate(fingerprint) if char == ":"]
    return any(0 < i <= MAX_ALERT_TYPE and 0 < len(fingerprint) - i - 1 <= MAX_COMPONENT for i in colons)


def check_fingerprint(fingerprint: str) -> str:
    """The fingerprint, or ValueError with a message fit for the user."""
    if not could_be_fingerprint(fingerprint):
        raise ValueError(f"{code(fingerprint, 60)} is not a fingerprint: expected &lt;alert type&gt;:&lt;component&gt; "
                         f"such as `model_drift:classifier_v2` or `HighLatency:checkout_api` (an alert type of at "
                         f"most {MAX_ALERT_TYPE} characters, a component of at most {MAX_COMPONENT}; see "
                         "`/agentops alerts`).")
    return fingerprint


def leading_fingerprint(args: str) -> tuple[str, str]:
    """The first word, or the text between backticks when the fingerprint holds spaces (a component label
    such as `HighLatency:fraud scorer`, written as the alert shows it); and the rest of `args`."""
    text = args.strip()
    if text.startswith("`") and "`" in text[1:]:
        fingerprint, _, rest = text[1:].partition("`")
        return fingerprint, rest
    words = text.split(maxsplit=1)
    return (words[0], words[1] if len(words) > 1 else "") if words else ("", "")


def one_fingerprint(args: str, subcommand: str) -> str:
    """The one fingerprint a subcommand takes, or ValueError with a usage hint."""
    fingerprint, rest = leading_fingerprint(args)
    if not fingerprint or rest.strip():
        raise ValueError(f"Give one fingerprint, e.g. `/agentops {subcommand} model_drift:classifier_v2`.")
    return check_fingerprint(fingerprint)


def _duration(words: list[str]) -> tuple[timedelta, int]:
    """The longest run of leading words that reads as a duration ("4 hours", "1h 30m"), and its length."""
    for count in range(min(len(words), DURATION_WORDS), 0, -1):
        try:
            return parse_duration(" ".join(words[:count])), count
        except DurationError:
            continue
    try:
        parse_duration(words[0])
    except DurationError as problem:
        raise ValueError(f"{code(words[0], 40)} is not a duration: {esc(problem)}") from None
    raise AssertionError("unreachable: one word parsed above")


def parse(args: str) -> tuple[str, timedelta, str]:
    """fingerprint, duration, reason; ValueError with a message fit for the user."""
    fingerprint, rest = leading_fingerprint(args)
    words = rest.split()
    if not fingerprint or not words:
        raise ValueError("Give a fingerprint and a duration, e.g. `/agentops silence model_drift:classifier_v2 4h`.")
    fingerprint = check_fingerprint(fingerprint)
    duration, used = _duration(words)
    if not MIN_SILENCE <= duration <= MAX_SILENCE:
        raise ValueError(f"A silence lasts from 1 minute to 30 days, e.g. {EXAMPLES}.")
    return fingerprint, duration, " ".join(words[used:])[:500]


async def run(inv: Invocation) -> None:
    try:
        fingerprint, duration, reason = parse(inv.args)
    except ValueError as problem:
        await inv.reply(*usage(str(problem)))
        return
    made, told = await silencing.silence(inv.deps, inv.slack, fingerprint=fingerprint, user=inv.user_id,
                                         duration=duration, reason=reason, via="command")
    await inv.reply(*silence_confirmed(fingerprint, duration, made.ends_at, told.where()))
