"""Socket-mode payloads shaped like the ones Slack sends: slash commands, events, button clicks."""

from __future__ import annotations

import time
import uuid

from seed.slack.workspace import BOT_USER

TEAM = {"id": "T0AGENTOPS", "domain": "agentops-standin"}
APP_ID = "A0AGENTOPS"


def slash_command(command: str, text: str, user: str, channel: str, response_url: str) -> dict:
    return {"token": "standin", "team_id": TEAM["id"], "team_domain": TEAM["domain"], "channel_id": channel,
            "channel_name": "ml-alerts", "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": f"{time.time():.0f}.{uuid.uuid4().hex[:8]}"}


def event_callback(event: dict) -> dict:
    return {"token": "standin", "team_id": TEAM["id"], "api_app_id": APP_ID, "event": event,
            "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()), "is_ext_shared_channel": False,
            "authorizations": [{"enterprise_id": None, "team_id": TEAM["id"], "user_id": BOT_USER,
                                "is_bot": True, "is_enterprise_install": False}]}


def app_mention(text: str, user: str, channel: str, ts: str, thread_ts: str | None) -> dict:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
             "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_callback(event)


def app_home_opened(user: str) -> dict:
    return event_callback({"type": "app_home_opened", "user": user, "channel": f"D{user[1:]}", "tab": "home",
                           "event_ts": f"{time.time():.6f}"})


def block_actions(action_id: str, value: str, user: str, channel: str, message: dict, response_url: str,
                  block_id: str = "actions") -> dict:
    return {"type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM["id"]},
            "api_app_id": APP_ID, "token": "standin", "team": TEAM, "enterprise": None,
            "is_enterprise_install": False, "trigger_id": f"{time.time():.0f}.{uuid.uuid4().hex[:8]}",
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel, "name": "ml-alerts"}, "message": message, "response_url": response_url,
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id, "value": value,
                         "text": {"type": "plain_text", "text": action_id}, "action_ts": f"{time.time():.6f}"}],
            "state": {"values": {}}}
