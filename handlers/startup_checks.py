"""What `agentops run` asks Slack before it serves: the bot token, the app token and the alert channel.

Each refusal is one sentence naming the setting and what to do (the CLI prints it as one line and
exits non-zero), so an operator never meets a retry loop or a traceback for a mistake only they can fix.
"""

from __future__ import annotations

import errno
import logging
import re

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import UserFacingError

log = logging.getLogger("agentops.slack")
# Slack's answers to a token that no retry will fix
TOKEN_REFUSALS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                  "not_allowed_token_type", "missing_scope"}
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
LIST_PAGES = 20  # 20 × 1,000 channels; a workspace larger than that is checked by channel ID


class SlackSetupError(UserFacingError):
    """Slack refused a setting at start-up; the message says which and what to do."""


def _unreachable(url: str, error: Exception) -> SlackSetupError:
    os_error = getattr(error, "os_error", None)
    code = getattr(os_error, "errno", None)
    reason = ("connection refused" if code == errno.ECONNREFUSED
              else "timed out" if isinstance(error, TimeoutError)
              else "host not found" if isinstance(error, aiohttp.ClientConnectorDNSError)
              else type(error).__name__)
    return SlackSetupError(f"cannot reach Slack at SLACK_API_URL={url} ({reason}); fix or unset SLACK_API_URL "
                           "(unset, the bot talks to slack.com)")


async def check_bot_token(client: AsyncWebClient, api_url: str) -> dict:
    """auth.test: who the bot is; an unreachable API or a rejected token ends start-up."""
    try:
        return dict((await client.auth_test()).data)  # type: ignore[arg-type]
    except SlackApiError as error:
        raise SlackSetupError(f"Slack rejected SLACK_BOT_TOKEN ({error.response.get('error')}); "
                              "copy the Bot User OAuth Token (xoxb-…) again") from None
    except (aiohttp.ClientError, TimeoutError) as error:
        raise _unreachable(api_url, error) from None


async def check_app_token(client: AsyncWebClient, app_token: str) -> None:
    """One apps.connections.open before the socket client's own, which retries every error forever.
    Slack being down is left to that retry loop; a token Slack refuses is not."""
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = error.response.get("error")
        if code in TOKEN_REFUSALS:
            raise SlackSetupError(f"Slack rejected SLACK_APP_TOKEN ({code}); copy the App-Level Token (xapp-…) "
                                  "with the connections:write scope from your app's Basic Information page, "
                                  "and enable Socket Mode") from None
        log.warning("apps.connections.open failed (%s); the socket connection retries", code)


async def find_channel(client: AsyncWebClient, channel: str) -> dict | None:
    if CHANNEL_ID.match(channel):
        try:
            return dict((await client.conversations_info(channel=channel))["channel"])
        except SlackApiError as error:
            if error.response.get("error") == "channel_not_found":
                return None
            raise
    name, cursor = channel.lstrip("#"), None
    for _ in range(LIST_PAGES):
        page = await client.conversations_list(types="public_channel,private_channel", exclude_archived=True,
                                               limit=1000, cursor=cursor)
        found = next((c for c in page["channels"] if c.get("name") == name), None)
        if found is not None:
            return dict(found)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    log.warning("SLACK_ALERT_CHANNEL=%s not among the first %d pages of channels; not checked", channel,
                LIST_PAGES)
    return {"is_member": True}


async def check_alert_channel(client: AsyncWebClient, channel: str) -> None:
    """That SLACK_ALERT_CHANNEL exists and the bot is in it, so the first alert is not the first to fail.
    Without channels:read (an app installed before the scope was added) it is only a warning."""
    try:
        found = await find_channel(client, channel)
    except SlackApiError as error:
        log.warning("could not check SLACK_ALERT_CHANNEL=%s at start-up (%s); add the channels:read and "
                    "groups:read scopes to check it", channel, error.response.get("error"))
        return
    if found is None:
        raise SlackSetupError(f"SLACK_ALERT_CHANNEL={channel}: Slack has no such channel that the bot can see; set "
                              "SLACK_ALERT_CHANNEL to an existing channel (e.g. #ml-alerts) and /invite @AgentOps "
                              "to it")
    if not found.get("is_member"):
        where = f"#{found['name']}" if found.get("name") else channel
        raise SlackSetupError(f"SLACK_ALERT_CHANNEL={channel}: the bot is not a member of it, so it cannot post "
                              f"there; type /invite @AgentOps in {where}")
