"""Slack listeners: commands/, actions/, events/ and home/, each with one register(app, deps)."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps


def register_all(app: AsyncApp, deps: Deps) -> None:
    from handlers import actions, commands, events

    commands.register(app, deps)
    actions.register(app, deps)
    events.register(app, deps)
