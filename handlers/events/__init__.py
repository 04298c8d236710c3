"""Events API listeners (acked by Bolt on receipt; the work runs after)."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers.events import app_home_opened, app_mention
from handlers.slack_edge import SlackEdge


def register(app: AsyncApp, deps: Deps, slack: SlackEdge) -> None:
    app.event("app_mention")(app_mention.make_listener(deps, slack))
    app.event("app_home_opened")(app_home_opened.make_listener(deps, slack))
