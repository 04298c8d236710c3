"""The paging port: how the escalation engine reaches people on a channel (Slack, email, a webhook,
PagerDuty), in product words.

A `Page` says what is happening (an alert post or an escalated incident, unacknowledged for so long) and
who the policy names; each channel renders and delivers it, with its own timeout and bounded retry, and
raises `PageFailed` (with words safe to show and store) when it could not. The engine claims, audits and
records; channels never touch the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from bot.escalation.policy import Mention
from bot.notify import PostRef

Event = Literal["trigger", "acknowledge", "resolve"]


class PageFailed(Exception):
    """A page that did not go out: the reason, without secrets, bounded, for the audit log and the step."""


@dataclass(frozen=True)
class Page:
    key: str  # "<subject>/<step>": the same page is the same key, whichever replica sends it (idempotency)
    event: Event
    fingerprint: str  # the lead alert's
    incident_id: str
    component: str
    environment: str
    severity: str
    summary: str  # what fires, in words (warehouse-derived: untrusted, escaped by each channel)
    why: str  # "unacknowledged for 15 minutes", "escalated: an approved action failed" …
    unacked_for: timedelta = timedelta(0)
    thread: PostRef | None = None
    link: str = ""  # the alert thread's permalink, when the Slack edge could give one
    mention: tuple[Mention, ...] = ()
    to: tuple[str, ...] = ()
    acked_by: str = ""
    # the chain's subject ("post:<incident>", "escalated:<incident>"): PagerDuty's dedup_key, so one chain's
    # trigger, acknowledge and resolve meet one PagerDuty alert, and no other chain's
    chain: str = ""


class Pager(Protocol):
    @property
    def configured(self) -> bool:
        """False when its settings are missing: the step is skipped (and audited as such)."""

    async def send(self, page: Page) -> str:
        """Deliver the page; what the channel answered, briefly. Raises PageFailed."""


class ThreadLinks(Protocol):
    async def link_to(self, post: PostRef) -> str:
        """A link people can open to the post's thread; "" when there is none."""
