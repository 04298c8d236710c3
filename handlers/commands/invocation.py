"""What every /agentops subcommand receives: the words after its name, who asked, where, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass

from bot.deps import Deps
from handlers.reply import reply
from handlers.slack_edge import SlackEdge


@dataclass(frozen=True)
class Invocation:
    name: str
    args: str
    user_id: str
    channel_id: str
    response_url: str
    slack: SlackEdge
    deps: Deps

    async def reply(self, text: str, blocks: list[dict], *, public: bool = False) -> None:
        await reply(self.slack, self.response_url, text, blocks, public=public)
