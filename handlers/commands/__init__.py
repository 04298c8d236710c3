"""Slash commands: one listener for /agentops, one module per subcommand."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers.commands.agentops import make_listener
from handlers.slack_edge import SlackEdge


def register(app: AsyncApp, deps: Deps, slack: SlackEdge) -> None:
    app.command("/agentops")(make_listener(deps, slack))
