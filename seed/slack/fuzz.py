"""Fuzzed socket-mode envelopes: slash commands, clicks and events built like Slack's, then bent.

Reproducible from a seed. Each probe says whether the bot owes its sender an answer (it carries a
response_url) so a run can count what went unanswered. Used by the bounded fuzz test and by
bench/hostile_input.py's long run.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass

from seed.slack import payloads
from seed.slack.hostile import STRINGS
from seed.slack.server import SlackStandIn

WORDS = ["help", "status", "alerts", "silence", "investigate", "HELP", "Status", "silence model_drift:classifier_v2",
         "silence latency:lstm_v1", "investigate F1 dropped on", "unsilence", ""]
DURATIONS = ["4h", "30m", "1d", "0m", "90d", "99999999999d", "-1h", "4 hours", "h", "1e9s", "\x00"]
ACTION_IDS = ["investigate_alert", "silence_alert", "approve_action", "deny_action", "APPROVE_ACTION",
              "Investigate_Alert", "unknown_button", "", None, 5]
ODD = [None, 5, "", [], {}, True, "x" * 5000]
# hostile strings that name no known model: an investigation of one would be real (answered in its thread)
_INERT = [s for s in STRINGS if "classifier_v2" not in s]


@dataclass
class Probe:
    kind: str  # the envelope type: slash_commands | interactive | events_api
    payload: dict
    token: str | None  # the response_url token the bot should answer on, if any
    in_thread: bool = False  # a well-formed [Silence] click: the answer is a note in the alert's thread


def slash_text(rng: random.Random) -> str:
    word, hostile = rng.choice(WORDS), rng.choice(_INERT)
    if word.startswith("silence"):
        return f"{word} {rng.choice([hostile, rng.choice(DURATIONS)])} {rng.choice(['', hostile])}".strip()
    return f"{word} {hostile}" if rng.random() < 0.8 else hostile


def slash_probe(slack: SlackStandIn, rng: random.Random) -> Probe:
    kind, payload = slack.prepare_slash_command(slash_text(rng))
    if rng.random() < 0.1:  # a malformed field; the response_url stays, so an answer is still owed
        payload[rng.choice(["user_id", "channel_id", "text", "command"])] = rng.choice(ODD)
    return Probe(kind, payload, slack.response_token(payload.get("response_url")))


def click_probe(slack: SlackStandIn, rng: random.Random, message_ts: str) -> Probe:
    action_id = rng.choice(ACTION_IDS)
    kind, payload = slack.prepare_click(action_id if isinstance(action_id, str) else "x", rng.choice(_INERT),
                                        message_ts, user=rng.choice(["U0ONCALL", "U0VIEWER", "U0APPROVER"]))
    payload = copy.deepcopy(payload)
    payload["actions"][0]["action_id"] = action_id
    # a [Silence] click is answered in the thread when it can be read: keep its reading unambiguous
    bend = rng.choice([0, 2, 4, 5, 6, 7]) if action_id == "silence_alert" else rng.randrange(8)
    if bend == 0:
        payload["actions"] = rng.choice(ODD)
    elif bend == 1:
        payload["user"] = rng.choice([None, {}, {"id": None}, {"id": rng.choice(STRINGS)}])
    elif bend == 2:
        payload["actions"][0]["value"] = rng.choice(ODD)
    elif bend == 3:
        payload.pop(rng.choice(["message", "channel", "container"]), None)
    elif bend == 4:
        payload["type"] = rng.choice(["block_suggestion", "view_submission", "shortcut", "BLOCK_ACTIONS", "x"])
    value = payload["actions"][0]["value"] if bend > 4 else None
    in_thread = action_id == "silence_alert" and isinstance(value, str) and 0 < len(value) <= 200
    return Probe(kind, payload, slack.response_token(payload.get("response_url")), in_thread)


def event_probe(slack: SlackStandIn, rng: random.Random, message_ts: str) -> Probe:
    if rng.random() < 0.5:
        payload = payloads.app_mention(rng.choice(_INERT), "U0ONCALL", "C0MLALERTS", message_ts, None)
    else:
        payload = payloads.app_home_opened("U0ONCALL")
    event = payload["event"]
    bend = rng.randrange(5)
    if bend == 0:
        event[rng.choice(["channel", "ts", "user", "text"])] = rng.choice(ODD)
    elif bend == 1:
        event["type"] = rng.choice(["reaction_added", "message", "APP_MENTION", "", None])
    elif bend == 2:
        payload["event"] = rng.choice(ODD)
    return Probe("events_api", payload, None)


def probes(slack: SlackStandIn, seed: int, *, slash: int, clicks: int, events: int, message_ts: str) -> list[Probe]:
    """`slash` fuzzed commands, `clicks` fuzzed clicks on `message_ts`, `events` fuzzed events, shuffled."""
    rng = random.Random(seed)
    made = [slash_probe(slack, rng) for _ in range(slash)]
    made += [click_probe(slack, rng, message_ts) for _ in range(clicks)]
    made += [event_probe(slack, rng, message_ts) for _ in range(events)]
    rng.shuffle(made)
    return made
