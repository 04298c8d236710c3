"""A click too malformed to act on: audited with what could be read, and the clicker told, if Slack
said where to answer."""

from __future__ import annotations

import asyncio

from bot.deps import Deps
from handlers.actions.click import Click
from handlers.answer import answer_privately
from handlers.slack_edge import SlackEdge

CANNOT_READ = ("I couldn't read that click (it named no user, button value or message), so nothing was done. "
               "Your click was logged; if it keeps happening, tell whoever runs AgentOps.")


async def refuse_malformed(deps: Deps, slack: SlackEdge, clicked: Click, action: str) -> None:
    await asyncio.to_thread(deps.store.audit.record, actor=clicked.user or "(unknown)", action=action,
                            subject=clicked.value or "(none)", outcome="refused:malformed", now=deps.clock.now(),
                            details=clicked.audit_details(), channel=clicked.channel or None,
                            message_ts=clicked.message_ts or None)
    await answer_privately(slack, response_url=clicked.response_url, channel=clicked.channel, user=clicked.user,
                           text=CANNOT_READ)
