"""The bot's own posts, found again: every post carries Slack message metadata naming what it is
(a key such as an alert id or an approval's request id), so after a lost answer — a 5xx once Slack
had stored it, a dropped connection, a timeout, a replica killed mid-call — the bot reads the channel
or the thread back and adopts its post instead of making a second one (the GitHub marker's idea,
bot/tracker.py, in Slack's own terms)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.notify import PostRef
from handlers.blocks import Blocks
from handlers.slack_edge import SlackEdge, SlackFailure
from handlers.startup_checks import CHANNEL_ID, find_channel

log = logging.getLogger("agentops.slack")
EVENT_TYPE = "agentops_post"
# a channel is read back this far (newest first): the post being looked for is minutes old at most
HISTORY_PAGES, PAGE_SIZE = 3, 200


def metadata(keys: Sequence[str], **payload: str) -> dict[str, Any]:
    """What a post carries: `keys` say which post it is (an alert post, one per alert in it); the rest is
    for people reading it through the API."""
    return {"event_type": EVENT_TYPE, "event_payload": {"keys": list(keys), **payload}}


def once(kind: str) -> str:
    """The key of one announcement: its retries share it, so a post a lost answer left is found again."""
    return f"{kind}:{uuid.uuid4().hex[:16]}"


def tagged(kind: str) -> dict[str, Any]:
    """The metadata of a post made once, outside the announcer (a command's thread, an answer)."""
    return metadata([once(kind)])


def _keys(message: Mapping[str, Any]) -> set[str]:
    found = message.get("metadata") or {}
    if found.get("event_type") != EVENT_TYPE:
        return set()
    keys = (found.get("event_payload") or {}).get("keys")
    return {str(k) for k in keys} if isinstance(keys, list) else set()


class OwnPosts:
    """Posts that are made once: looked for before a repeat attempt and after a lost answer."""

    def __init__(self, edge: SlackEdge) -> None:
        self.edge = edge
        self._ids: dict[str, str] = {}  # channel name → id (the history methods take ids only)

    async def find(self, channel: str, keys: Sequence[str],
                   thread_ts: str | None = None) -> PostRef | SlackFailure | None:
        """The post carrying one of `keys` in the channel (or in the thread of `thread_ts`); None when Slack says
        it is not there, a SlackFailure when Slack could not say."""
        client: AsyncWebClient = self.edge.client
        found_id = await self._channel_id(channel)
        if isinstance(found_id, SlackFailure):
            return found_id
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            if thread_ts:
                page = await self.edge.call("conversations.replies", client.conversations_replies(
                    channel=found_id, ts=thread_ts, include_all_metadata=True, limit=PAGE_SIZE, cursor=cursor))
            else:
                page = await self.edge.call("conversations.history", client.conversations_history(
                    channel=found_id, include_all_metadata=True, limit=PAGE_SIZE, cursor=cursor))
            if isinstance(page, SlackFailure):
                return page
            for message in page.get("messages") or []:
                if _keys(message) & set(keys):
                    return PostRef(found_id, str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    async def post(self, channel: str, text: str, blocks: Blocks, keys: Sequence[str], *,
                   thread_ts: str | None = None, look_first: bool = False, **payload: str) -> PostRef | SlackFailure:
        """Post, or adopt the post a lost answer left behind: with `look_first` (an earlier attempt may
        have reached Slack) and after an answer lost on the way back, the channel or thread is read."""
        if look_first:
            found = await self.find(channel, keys, thread_ts)
            if isinstance(found, PostRef):
                log.info("%s was posted by an earlier attempt; adopted", keys[0])
                return found
            if isinstance(found, SlackFailure) and found.unavailable:
                return found  # Slack could not say: not posted now, tried again later
            if isinstance(found, SlackFailure):
                # the bot may not read the channel (an app installed before channels:history was added):
                # a post that might double beats an alert never posted
                log.warning("could not look for an earlier post of %s (%s); posting it", keys[0], found.code)
        posted = await self.edge.call("chat.postMessage", self.edge.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, metadata=metadata(keys, **payload)))
        if not isinstance(posted, SlackFailure):
            self._ids[channel] = str(posted["channel"])
            return PostRef(str(posted["channel"]), str(posted["ts"]))
        if not posted.maybe_done:
            return posted
        found = await self.find(channel, keys, thread_ts)
        if isinstance(found, PostRef):
            log.info("%s was posted although Slack's answer was lost (%s); adopted", keys[0], posted.code)
            return found
        return posted

    async def _channel_id(self, channel: str) -> str | SlackFailure:
        if CHANNEL_ID.match(channel):
            return channel
        if channel in self._ids:
            return self._ids[channel]
        try:
            found = await find_channel(self.edge.client, channel)
        except SlackApiError as error:
            return self.edge.failed("conversations.list", str(error.response.get("error")), error.response.status_code)
        except (aiohttp.ClientError, TimeoutError) as error:
            return self.edge.failed("conversations.list", type(error).__name__)
        if not found or not found.get("id"):
            return self.edge.failed("conversations.list", "channel_not_found", 200)
        self._ids[channel] = str(found["id"])
        return self._ids[channel]
