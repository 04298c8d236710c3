"""/agentops silence <fingerprint> <duration> [reason] — mute one alert's notifications until it expires."""

from datetime import timedelta

from bot.durations import EXAMPLES, DurationError, parse_duration
from bot.store.tables import FINGERPRINT_LENGTH
from handlers import silencing
from handlers.blocks import usage
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code, esc
from handlers.silence_blocks import silence_confirmed

ALERT_TYPES = ("model_drift", "data_quality", "latency", "accuracy_drop", "anomaly_spike")
MIN_SILENCE, MAX_SILENCE = timedelta(minutes=1), timedelta(days=30)
DURATION_WORDS = 6  # "1 hour and 30 minutes" is five; more is the reason


def check_fingerprint(fingerprint: str) -> str:
    """The fingerprint, or ValueError with a message fit for the user."""
    alert_type, _, component = fingerprint.partition(":")
    if alert_type not in ALERT_TYPES or not component or len(fingerprint) > FINGERPRINT_LENGTH:
        raise ValueError(f"{code(fingerprint, 60)} is not a fingerprint: expected &lt;alert type&gt;:&lt;component&gt; "
                         f"(at most {FINGERPRINT_LENGTH} characters) with an alert type of {', '.join(ALERT_TYPES)} "
                         "(see `/agentops alerts`).")
    return fingerprint


def one_fingerprint(args: str, subcommand: str) -> str:
    """The one fingerprint a subcommand takes, or ValueError with a usage hint."""
    words = args.split()
    if len(words) != 1:
        raise ValueError(f"Give one fingerprint, e.g. `/agentops {subcommand} model_drift:classifier_v2`.")
    return check_fingerprint(words[0])


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
    words = args.split()
    if len(words) < 2:
        raise ValueError("Give a fingerprint and a duration, e.g. `/agentops silence model_drift:classifier_v2 4h`.")
    fingerprint = check_fingerprint(words[0])
    duration, used = _duration(words[1:])
    if not MIN_SILENCE <= duration <= MAX_SILENCE:
        raise ValueError(f"A silence lasts from 1 minute to 30 days, e.g. {EXAMPLES}.")
    return fingerprint, duration, " ".join(words[1 + used:])[:500]


async def run(inv: Invocation) -> None:
    try:
        fingerprint, duration, reason = parse(inv.args)
    except ValueError as problem:
        await inv.reply(*usage(str(problem)))
        return
    made, told = await silencing.silence(inv.deps, inv.slack, fingerprint=fingerprint, user=inv.user_id,
                                         duration=duration, reason=reason, via="command")
    await inv.reply(*silence_confirmed(fingerprint, duration, made.ends_at, told.where()))
