"""The Slack channel of the paging port: an escalation step as a note in the alert's thread, and the
thread's permalink for the other channels (email, webhook, PagerDuty) to link to."""

from __future__ import annotations

from bot.notify import PostRef
from bot.paging import Page, PageFailed
from handlers.escalation_blocks import page_note
from handlers.slack_edge import SlackEdge, SlackFailure


class SlackPager:
    def __init__(self, edge: SlackEdge) -> None:
        self.edge = edge

    @property
    def configured(self) -> bool:
        return True

    async def send(self, page: Page) -> str:
        if page.thread is None:
            raise PageFailed("the alert has no post to page in")
        text, blocks = page_note(page)
        posted = await self.edge.call("chat.postMessage", self.edge.client.chat_postMessage(
            channel=page.thread.channel, thread_ts=page.thread.ts, text=text, blocks=blocks))
        if isinstance(posted, SlackFailure):
            raise PageFailed(f"Slack refused the note ({posted.code})")
        return f"posted in the thread ({posted['ts']})"


class SlackThreadLinks:
    def __init__(self, edge: SlackEdge) -> None:
        self.edge = edge

    async def link_to(self, post: PostRef) -> str:
        found = await self.edge.call("chat.getPermalink", self.edge.client.chat_getPermalink(
            channel=post.channel, message_ts=post.ts))
        return "" if isinstance(found, SlackFailure) else str(found.get("permalink") or "")
