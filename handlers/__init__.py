"""Slack listeners: commands/, actions/, events/ and home/, each with one register(app, deps, slack)."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers import actions, commands, events
from handlers.slack_edge import SlackEdge


def register_all(app: AsyncApp, deps: Deps, slack: SlackEdge) -> None:
    commands.register(app, deps, slack)
    actions.register(app, deps, slack)
    events.register(app, deps, slack)
