"""/agentops silence <fingerprint> <duration> [reason] — mute one alert's notifications until it expires."""

import asyncio
from datetime import timedelta

from bot.config import parse_duration
from bot.store.tables import FINGERPRINT_LENGTH
from handlers.blocks import notice, usage
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code, esc, mention

ALERT_TYPES = ("model_drift", "data_quality", "latency", "accuracy_drop", "anomaly_spike")
MAX_SILENCE = timedelta(days=30)


def parse(args: str) -> tuple[str, timedelta, str]:
    """fingerprint, duration, reason; ValueError with a message fit for the user."""
    parts = args.split(maxsplit=2)
    if len(parts) < 2:
        raise ValueError("Give a fingerprint and a duration, e.g. `/agentops silence model_drift:classifier_v2 4h`.")
    fingerprint, duration_text = parts[0], parts[1]
    alert_type, _, component = fingerprint.partition(":")
    if alert_type not in ALERT_TYPES or not component or len(fingerprint) > FINGERPRINT_LENGTH:
        raise ValueError(f"{code(fingerprint, 60)} is not a fingerprint: expected &lt;alert type&gt;:&lt;component&gt; "
                         f"(at most {FINGERPRINT_LENGTH} characters) with an alert type of {', '.join(ALERT_TYPES)} "
                         "(see `/agentops alerts`).")
    try:
        duration = parse_duration(duration_text)
    except ValueError:
        raise ValueError(f"{code(duration_text, 40)} is not a duration: use e.g. 30m, 4h or 1d.") from None
    if not timedelta(0) < duration <= MAX_SILENCE:
        raise ValueError("A silence lasts from 1 minute to 30 days.")
    return fingerprint, duration, parts[2][:500] if len(parts) > 2 else ""


async def run(inv: Invocation) -> None:
    try:
        fingerprint, duration, reason = parse(inv.args)
    except ValueError as problem:
        await inv.reply(*usage(str(problem)))
        return
    now = inv.deps.clock.now()
    silence = await asyncio.to_thread(inv.deps.store.silences.add, fingerprint, inv.user_id, now, now + duration,
                                      reason)
    await asyncio.to_thread(inv.deps.store.audit.record, actor=inv.user_id, action="silence.add",
                            subject=fingerprint, outcome="silenced", now=now,
                            details={"until": silence.ends_at.isoformat(), "reason": reason, "via": "command"})
    because = f" — {esc(reason)}" if reason else ""
    await inv.reply(*notice(f"🔕 {mention(inv.user_id)} silenced {code(fingerprint)} until "
                            f"{silence.ends_at:%Y-%m-%d %H:%M} UTC{because}."), public=True)
