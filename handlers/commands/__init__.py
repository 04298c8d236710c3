"""Slash commands: one listener for /agentops, one module per subcommand."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    from handlers.commands.agentops import make_listener

    app.command("/agentops")(make_listener(deps))
